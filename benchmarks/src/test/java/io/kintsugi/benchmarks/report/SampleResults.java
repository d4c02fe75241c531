package io.kintsugi.benchmarks.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The checked-in sample of a JMH result file ({@code sample-jmh.json}): made-up scores in the exact shape JMH
 * writes, for every side-by-side workload and the integrity cost, chosen so that some ratios meet their target,
 * some miss it, one meets it only within its error, and one score has no error (JMH's "NaN").
 */
final class SampleResults {

    static final String RESOURCE = "/sample-jmh.json";

    private SampleResults() {
    }

    static JmhResults parse() {
        try (InputStream in = SampleResults.class.getResourceAsStream(RESOURCE)) {
            return JmhResults.parse(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path copyTo(Path dir) throws IOException {
        Path json = dir.resolve("jmh.json");
        try (InputStream in = SampleResults.class.getResourceAsStream(RESOURCE)) {
            Files.copy(in, json, StandardCopyOption.REPLACE_EXISTING);
        }
        return json;
    }
}

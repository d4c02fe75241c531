package io.kintsugi.benchmarks.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The results of one JMH run, read from the file that {@code -rf json} writes: an array with one object per
 * benchmark and parameter set, each with its primary metric, secondary metrics and the JVM it ran on.
 *
 * @param scores   every result, in the file's order
 * @param jvm      the JVM the benchmarks ran on ({@code vmName jdkVersion (vmVersion)}), or "unknown"
 * @param settings forks, warmup and measurement as JMH ran them, e.g. {@code forks 2, warmup 3 × 5 s,
 *                 measurement 5 × 5 s}; several, separated by "; ", if benchmarks ran with different ones
 */
public record JmhResults(List<BenchmarkScore> scores, String jvm, String settings) {

    /**
     * @param scores   every result; copied
     * @param jvm      the JVM the benchmarks ran on
     * @param settings forks, warmup and measurement as run
     */
    public JmhResults {
        // Immutable copies: a result read once is shared by the table, the chart and the README.
        scores = List.copyOf(scores);
    }

    /**
     * Reads a JMH JSON result file.
     *
     * @param file the file
     * @return the results
     * @throws IOException           if the file cannot be read
     * @throws IllegalArgumentException if it is not a JMH JSON result file
     */
    public static JmhResults read(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a JMH JSON result document.
     *
     * @param in the document
     * @return the results
     * @throws IllegalArgumentException if it is not a JMH JSON result document
     */
    public static JmhResults parse(Reader in) {
        JsonElement root;
        try {
            root = JsonParser.parseReader(in);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonArray()) {
            throw new IllegalArgumentException("a JMH result file holds a JSON array, found " + kind(root));
        }
        List<BenchmarkScore> scores = new ArrayList<>();
        String jvm = "unknown";
        Set<String> settings = new LinkedHashSet<>();
        JsonArray array = root.getAsJsonArray();
        for (int i = 0; i < array.size(); i++) {
            if (!array.get(i).isJsonObject()) {
                throw new IllegalArgumentException("result " + i + " is " + kind(array.get(i)) + ", not an object");
            }
            JsonObject o = array.get(i).getAsJsonObject();
            scores.add(score(o, i));
            settings.add(settings(o));
            if (i == 0 && o.has("jdkVersion")) {
                jvm = text(o, "vmName", "JVM") + " " + text(o, "jdkVersion", "?") + " (" + text(o, "vmVersion", "?")
                        + ")";
            }
        }
        return new JmhResults(scores, jvm, String.join("; ", settings));
    }

    private static String settings(JsonObject o) {
        return "forks " + text(o, "forks", "?") + ", warmup " + text(o, "warmupIterations", "?") + " × "
                + text(o, "warmupTime", "?") + ", measurement " + text(o, "measurementIterations", "?") + " × "
                + text(o, "measurementTime", "?");
    }

    private static BenchmarkScore score(JsonObject o, int index) {
        String name = required(o, "benchmark", index).getAsString();
        int method = name.lastIndexOf('.');
        int cls = name.lastIndexOf('.', method - 1);
        if (method < 0) {
            throw new IllegalArgumentException("result " + index + " names no method: " + name);
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (o.has("params")) {
            for (Map.Entry<String, JsonElement> p : o.getAsJsonObject("params").entrySet()) {
                params.put(p.getKey(), p.getValue().getAsString());
            }
        }
        JsonObject primary = required(o, "primaryMetric", index).getAsJsonObject();
        Map<String, Double> secondary = new LinkedHashMap<>();
        if (o.has("secondaryMetrics")) {
            for (Map.Entry<String, JsonElement> s : o.getAsJsonObject("secondaryMetrics").entrySet()) {
                secondary.put(s.getKey(), number(s.getValue().getAsJsonObject().get("score")));
            }
        }
        return new BenchmarkScore(name.substring(cls + 1, method), name.substring(method + 1), params,
                required(o, "threads", index).getAsInt(), required(o, "mode", index).getAsString(),
                number(required(primary, "score", index)), number(primary.get("scoreError")),
                text(primary, "scoreUnit", ""), secondary);
    }

    /** JMH writes NaN and infinities as strings. */
    private static double number(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return Double.NaN;
        }
        return Double.parseDouble(e.getAsString());
    }

    private static JsonElement required(JsonObject o, String field, int index) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("result " + index + " has no '" + field + "'");
        }
        return e;
    }

    private static String text(JsonObject o, String field, String absent) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? absent : e.getAsString();
    }

    private static String kind(JsonElement e) {
        return e.isJsonObject() ? "an object" : e.isJsonArray() ? "an array" : e.isJsonNull() ? "null" : "a value";
    }
}

package io.kintsugi.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where benchmarks put their files: under {@code -Dkintsugi.bench.dir} (default: the system temporary directory),
 * which should be on the disk being measured.
 */
final class BenchmarkDirs {

    private BenchmarkDirs() {
    }

    /** @return a new, empty directory for one trial */
    static Path create(String prefix) throws IOException {
        Path base = Paths.get(System.getProperty("kintsugi.bench.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        return Files.createTempDirectory(base, prefix);
    }

    /** Deletes {@code dir} and everything in it. */
    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** @return a 16-byte key encoding {@code n}, so that keys sort in the order of {@code n} */
    static byte[] key(long n) {
        return KeyValueGenerator.key(n);
    }
}

package io.kintsugi.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The machine a run measured, as the report describes it. {@link #collect} reads it from Linux's {@code /proc},
 * {@code /sys} and {@code /etc/os-release}; anything it cannot read is "unknown".
 *
 * @param cpu    the processor model
 * @param cores  logical CPUs available to the JVM
 * @param memory total memory, e.g. {@code 23.4 GiB}
 * @param os     the distribution, kernel and architecture
 * @param disk   the bench directory's file system, device and free space
 */
public record MachineDescription(String cpu, int cores, String memory, String os, String disk) {

    private static final String UNKNOWN = "unknown";

    /**
     * Describes this machine.
     *
     * @param benchDir the directory the benchmarks' stores lived in
     * @return the description
     */
    public static MachineDescription collect(Path benchDir) {
        return new MachineDescription(readCpu(), Runtime.getRuntime().availableProcessors(), readMemory(), readOs(),
                readDisk(benchDir));
    }

    private static String readCpu() {
        return lines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst().orElse(UNKNOWN);
    }

    private static String readMemory() {
        return lines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal:"))
                .map(l -> l.replaceAll("[^0-9]", ""))
                .filter(s -> !s.isEmpty())
                .map(kib -> String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(kib) / 1024.0 / 1024.0))
                .findFirst().orElse(UNKNOWN);
    }

    private static String readOs() {
        String distribution = lines(Path.of("/etc/os-release")).stream()
                .filter(l -> l.startsWith("PRETTY_NAME="))
                .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", ""))
                .findFirst().orElse(System.getProperty("os.name"));
        return distribution + ", kernel " + System.getProperty("os.version") + ", " + System.getProperty("os.arch");
    }

    private static String readDisk(Path benchDir) {
        Path dir = benchDir.toAbsolutePath().normalize();
        StringBuilder b = new StringBuilder("`").append(dir).append('`');
        Optional<String[]> mount = mountOf(dir);
        if (mount.isPresent()) {
            String[] m = mount.get();
            b.append(" on ").append(m[0]).append(" (").append(m[2]).append(", mounted at ").append(m[1]);
            deviceKind(m[0]).ifPresent(kind -> b.append(", ").append(kind));
            b.append(')');
            if (m[2].equals("tmpfs") || m[2].equals("ramfs")) {
                b.append(": memory, where a sync costs nothing, so durable-write numbers mean nothing");
            }
        }
        try {
            FileStore store = Files.getFileStore(Files.exists(dir) ? dir : dir.getRoot());
            b.append(String.format(Locale.ROOT, ", %.0f GiB free of %.0f GiB", store.getUsableSpace() / 1073741824.0,
                    store.getTotalSpace() / 1073741824.0));
        } catch (IOException e) {
            // Free space is a nicety; the rest of the description stands without it.
        }
        return b.toString();
    }

    /** @return device, mount point and type of the longest mount point that contains {@code dir} */
    private static Optional<String[]> mountOf(Path dir) {
        String[] best = null;
        for (String line : lines(Path.of("/proc/mounts"))) {
            String[] f = line.split(" ");
            if (f.length < 3) {
                continue;
            }
            String point = f[1].replace("\\040", " ");
            if (dir.startsWith(point) && (best == null || point.length() > best[1].length())) {
                best = new String[] {f[0], point, f[2]};
            }
        }
        return Optional.ofNullable(best);
    }

    /** @return e.g. "SSD, model X" from the block device's {@code /sys} entry, if it has one */
    private static Optional<String> deviceKind(String device) {
        if (!device.startsWith("/dev/")) {
            return Optional.empty();
        }
        Path dev = Path.of("/sys/class/block", device.substring("/dev/".length()));
        try {
            Path real = dev.toRealPath();
            Path disk = Files.exists(real.resolve("partition")) ? real.getParent() : real;
            List<String> rotational = lines(disk.resolve("queue/rotational"));
            String kind = rotational.isEmpty() ? "" : rotational.get(0).trim().equals("1") ? "rotational"
                    : "non-rotational";
            List<String> model = lines(disk.resolve("device/model"));
            if (!model.isEmpty() && !model.get(0).isBlank()) {
                kind += (kind.isEmpty() ? "" : ", ") + "model " + model.get(0).trim();
            }
            return kind.isEmpty() ? Optional.empty() : Optional.of(kind);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}

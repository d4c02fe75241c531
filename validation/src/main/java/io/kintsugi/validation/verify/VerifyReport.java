package io.kintsugi.validation.verify;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of a verify: an overall {@link VerifyStatus}, a status per {@link VerifyComponent} and per file,
 * {@link VerifyCounts}, every {@link VerifyProblem} and notes. Metadata only: a report never holds key or value
 * bytes, so it can be shipped to monitoring. {@link #toText()} is for people, {@link #toJson()} for programs (its
 * shape is documented in docs/VALIDATION.md and stable: fields are only ever added, and {@code "version"} changes if
 * one is removed or changes meaning).
 */
public final class VerifyReport {

    /** The version of {@link #toJson()}'s shape. */
    public static final int JSON_VERSION = 1;

    private final Path storeDir;
    private final VerifyLevel level;
    private final boolean online;
    private final Map<VerifyComponent, VerifyStatus> components;
    private final List<FileVerdict> files;
    private final VerifyCounts counts;
    private final List<VerifyProblem> problems;
    private final List<String> notes;
    private final VerifyStatus status;

    VerifyReport(Path storeDir, VerifyLevel level, boolean online, Map<VerifyComponent, VerifyStatus> components,
                 List<FileVerdict> files, VerifyCounts counts, List<VerifyProblem> problems, List<String> notes) {
        this.storeDir = Objects.requireNonNull(storeDir, "storeDir");
        this.level = Objects.requireNonNull(level, "level");
        this.online = online;
        this.components = Collections.unmodifiableMap(new EnumMap<>(components));
        this.files = List.copyOf(files);
        this.counts = Objects.requireNonNull(counts, "counts");
        this.problems = List.copyOf(problems);
        this.notes = List.copyOf(notes);
        VerifyStatus s = VerifyStatus.OK;
        for (VerifyStatus c : this.components.values()) {
            s = s.worst(c);
        }
        this.status = problems.isEmpty() ? s.worst(VerifyStatus.OK) : VerifyStatus.CORRUPT;
    }

    /** @return CORRUPT if any problem was found, else INCOMPLETE if anything could not be checked, else OK */
    public VerifyStatus status() {
        return status;
    }

    /** @return the store directory verified */
    public Path storeDirectory() {
        return storeDir;
    }

    /** @return the level the verify ran at */
    public VerifyLevel level() {
        return level;
    }

    /** @return whether the verify ran on an open store */
    public boolean online() {
        return online;
    }

    /** @return the status of every component, in the order of {@link VerifyComponent} */
    public Map<VerifyComponent, VerifyStatus> components() {
        return components;
    }

    /**
     * @param component a component
     * @return its status
     */
    public VerifyStatus status(VerifyComponent component) {
        return components.get(Objects.requireNonNull(component, "component"));
    }

    /** @return a verdict for every file examined or named by a problem, in the order they were examined */
    public List<FileVerdict> files() {
        return files;
    }

    /** @return what was examined */
    public VerifyCounts counts() {
        return counts;
    }

    /** @return every problem found, in the order found */
    public List<VerifyProblem> problems() {
        return problems;
    }

    /** @return notes: things worth knowing that are not damage (torn tails, leftovers, what could not be checked) */
    public List<String> notes() {
        return notes;
    }

    /** @return the report for people, one line per component, problem and note */
    public String toText() {
        return ReportText.render(this);
    }

    /** @return the report as one JSON object, in the shape docs/VALIDATION.md documents ({@code "version": 1}) */
    public String toJson() {
        return ReportJson.render(this);
    }

    /** The short form: status and counts. */
    @Override
    public String toString() {
        return "VerifyReport{store=" + storeDir + ", level=" + level + ", online=" + online + ", status=" + status
                + ", problems=" + problems.size() + ", counts=" + counts + '}';
    }
}

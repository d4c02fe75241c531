package io.kintsugi.validation.verify;

import io.kintsugi.oplog.CorruptionReport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a verify has found so far: problems, notes, the files it examined and what it could not check. One verify
 * runs on one thread, so this is not thread-safe.
 */
final class Findings {

    private static final class FileState {
        final VerifyComponent component;
        VerifyStatus status = VerifyStatus.OK;
        int problems;

        FileState(VerifyComponent component) {
            this.component = component;
        }
    }

    private final Map<Path, FileState> files = new LinkedHashMap<>();
    private final Map<VerifyComponent, VerifyStatus> components = new EnumMap<>(VerifyComponent.class);
    private final List<VerifyProblem> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    long fileCount;
    long blocks;
    long records;
    long entries;

    Findings() {
        for (VerifyComponent c : VerifyComponent.values()) {
            components.put(c, VerifyStatus.OK);
        }
    }

    /** Registers a file as examined, so that it gets a verdict even when nothing is wrong with it. */
    void examined(VerifyComponent component, Path file) {
        if (!files.containsKey(file)) {
            files.put(file, new FileState(component));
            fileCount++;
        }
    }

    void problem(VerifyComponent component, CorruptionReport report) {
        problem(VerifyProblem.of(component, report));
    }

    void problem(VerifyProblem p) {
        problems.add(p);
        components.merge(p.component(), VerifyStatus.CORRUPT, VerifyStatus::worst);
        FileState s = files.computeIfAbsent(p.file(), f -> new FileState(p.component()));
        s.status = VerifyStatus.CORRUPT;
        s.problems++;
    }

    /** Something could not be checked: the component and the file are at best INCOMPLETE. */
    void incomplete(VerifyComponent component, Path file, String why) {
        notes.add("not checked: " + file + ": " + why);
        components.merge(component, VerifyStatus.INCOMPLETE, VerifyStatus::worst);
        FileState s = files.computeIfAbsent(file, f -> new FileState(component));
        s.status = s.status.worst(VerifyStatus.INCOMPLETE);
    }

    void note(String text) {
        notes.add(text);
    }

    /** @return how many problems name a component so far */
    long problemCount(VerifyComponent component) {
        return problems.stream().filter(p -> p.component() == component).count();
    }

    VerifyReport report(Path storeDir, VerifyLevel level, boolean online, long bytesRead) {
        List<FileVerdict> verdicts = new ArrayList<>(files.size());
        files.forEach((path, s) -> verdicts.add(new FileVerdict(path, s.component, s.status, s.problems)));
        return new VerifyReport(storeDir, level, online, components, verdicts,
                new VerifyCounts(fileCount, blocks, records, entries, bytesRead), problems, notes);
    }
}

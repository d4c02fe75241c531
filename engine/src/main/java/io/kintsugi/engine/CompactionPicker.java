package io.kintsugi.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses which segment files a background compaction merges, so that each compaction's work is bounded and the
 * number of files stays small without rewriting large files over and over.
 *
 * <p>Files are considered newest first, and only as runs of adjacent files (so that sequence ranges stay disjoint).
 * A run starts at a file and takes the next older file while that file is at most twice the size of the run so far
 * and the run has fewer than {@code maxFiles} files: small recent files are merged together first, and a large old
 * file is only rewritten once the data above it has grown comparable. Files found damaged are never picked.
 */
final class CompactionPicker {

    private CompactionPicker() {
    }

    /**
     * @param files    live files, newest first
     * @param trigger  number of files at which compaction is due
     * @param maxFiles most files to merge at once
     * @return the adjacent files to merge (newest first), or an empty list if none are due
     */
    static List<SegmentFileHandle> pick(List<SegmentFileHandle> files, int trigger, int maxFiles) {
        if (files.size() < trigger) {
            return List.of();
        }
        for (int start = 0; start < files.size() - 1; start++) {
            List<SegmentFileHandle> run = run(files, start, maxFiles, true);
            if (run.size() >= 2) {
                return run;
            }
        }
        // No similar-sized neighbours: merge the newest files anyway once there are far too many.
        if (files.size() >= 2 * trigger) {
            for (int start = 0; start < files.size() - 1; start++) {
                List<SegmentFileHandle> run = run(files, start, maxFiles, false);
                if (run.size() >= 2) {
                    return run;
                }
            }
        }
        return List.of();
    }

    private static List<SegmentFileHandle> run(List<SegmentFileHandle> files, int start, int maxFiles,
                                               boolean bySize) {
        List<SegmentFileHandle> run = new ArrayList<>();
        long accumulated = 0;
        for (int i = start; i < files.size() && run.size() < maxFiles; i++) {
            SegmentFileHandle f = files.get(i);
            if (f.isExcludedFromCompaction() || (bySize && !run.isEmpty() && f.size() > 2 * accumulated)) {
                break;
            }
            run.add(f);
            accumulated += f.size();
        }
        return run;
    }
}

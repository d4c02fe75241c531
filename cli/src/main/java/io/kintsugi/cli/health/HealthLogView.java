package io.kintsugi.cli.health;

import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthLogStats;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code kintsugi health} read, ready to render: the log's size, every matching entry's counts and the newest
 * matching entries to print.
 *
 * @param request the request
 * @param logDir  the health log directory
 * @param exists  whether the store has a health log at all
 * @param stats   the whole log's size and time span
 * @param summary counts over every matching entry, the print limit aside
 * @param shown   the entries to print, oldest first: the newest {@code limit} matching ones
 */
record HealthLogView(HealthRequest request, Path logDir, boolean exists, HealthLogStats stats,
                     HealthSummary summary, List<HealthEntry> shown) {
}

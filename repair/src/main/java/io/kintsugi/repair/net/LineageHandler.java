package io.kintsugi.repair.net;

import io.kintsugi.repair.lineage.LineageRecord;

import java.util.List;

/**
 * What a replica answers when a coordinator asks its {@link RepairServer} about its lineage log (a LINEAGE
 * request): the copies that match the request. An agent answers from its own log
 * ({@code request -> lineage.copiedFrom(...)}). Implementations must be safe for calls from several threads at once.
 */
@FunctionalInterface
public interface LineageHandler {

    /**
     * @param request the question
     * @return the matching records, oldest first
     * @throws RuntimeException of any kind when the log cannot be read (damage, I/O); its message (metadata only)
     *                          goes back in an ERROR frame with reason {@link RepairFrameFormat#REASON_SOURCE_FAILED},
     *                          and the coordinator then does not trust this replica as a source
     */
    List<LineageRecord> copiedFrom(LineageRequest request);
}

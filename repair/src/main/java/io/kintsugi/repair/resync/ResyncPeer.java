package io.kintsugi.repair.resync;

import io.kintsugi.repair.LineageView;

/**
 * A replica taking part in a resync, reached through its agent's endpoint.
 *
 * @param id       its replica id
 * @param endpoint its agent's {@code host:port}
 * @param lineage  its lineage in this process, or null to ask its agent over the wire
 */
record ResyncPeer(String id, String endpoint, LineageView lineage) {
}

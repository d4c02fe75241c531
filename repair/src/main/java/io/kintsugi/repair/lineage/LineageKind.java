package io.kintsugi.repair.lineage;

/** What a replica copied from a peer, as a {@link LineageRecord} records it. */
public enum LineageKind {
    /** One key range of one namespace was replaced by a peer's copy (range resync). */
    RANGE_COPY,
    /** The whole replica was rebuilt from a peer (a new or wrecked replica): every namespace, every key. */
    WHOLE_REPLICA_COPY
}

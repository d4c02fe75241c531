/**
 * Whole-replica resync: rebuilding a new or wrecked replica, every namespace of it, from verified peers while the
 * primary keeps serving writes. {@link io.kintsugi.repair.resync.WholeReplicaResync} splits each namespace into
 * ranges ({@link io.kintsugi.repair.resync.ResyncPlanner}) and moves each one with the range-repair pieces: a probe on
 * the primary, a vote of digests, a pull from a source whose copy the majority confirms, an install at the probe's
 * sequence; then a follow-up probe of every range proves it. {@link io.kintsugi.repair.resync.ResyncProgress} can be
 * read while it runs; {@link io.kintsugi.repair.resync.ResyncReport} tells what was done.
 */
package io.kintsugi.repair.resync;

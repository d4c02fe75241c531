/**
 * The public fault-injection API: {@link io.kintsugi.validation.faults.FaultInjector} damages a store's files in
 * seeded, reproducible ways (bit flips, zeroed and junk regions, truncation, swapped blocks, stale copies, a torn
 * oplog tail, logical corruption on one replica) and says exactly where, so that tests can check that the store
 * names the same place.
 */
package io.kintsugi.validation.faults;

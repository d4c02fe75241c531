/**
 * The repair wire protocol: how a replica asks another for the digest of a range at a sequence
 * ({@link io.kintsugi.repair.net.RepairClient#digestAt}) and has the range streamed to it, hashed and checked on
 * arrival ({@link io.kintsugi.repair.net.RepairClient#fetchRange}). A replica offers its held ranges through a
 * {@link io.kintsugi.repair.net.RangeSource} served by a {@link io.kintsugi.repair.net.RepairServer}. Frames are
 * defined in {@link io.kintsugi.repair.net.RepairFrameFormat} and documented in {@code docs/FORMAT.md} section 14.
 */
package io.kintsugi.repair.net;

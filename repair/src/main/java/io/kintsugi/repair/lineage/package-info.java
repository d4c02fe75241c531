/**
 * The lineage log: what this replica copied, from which peer, when and at which sequence number, so that repair can
 * refuse a source that copied from the damaged replica after the damage could have started (DESIGN.md "Repair";
 * docs/FORMAT.md section 15).
 */
package io.kintsugi.repair.lineage;

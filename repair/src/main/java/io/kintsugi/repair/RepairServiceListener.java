package io.kintsugi.repair;

/**
 * Told about every {@link RepairServiceEvent} of a {@link RepairService}. Called on the service's one thread, in
 * order: keep it quick, and never wait there for the service (for example on the future of
 * {@link RepairService#approve(String)}), which could then never answer. An exception it throws is logged and
 * otherwise ignored.
 */
@FunctionalInterface
public interface RepairServiceListener {

    /**
     * @param event what happened, metadata only
     */
    void onEvent(RepairServiceEvent event);
}

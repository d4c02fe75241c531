package io.kintsugi.engine.replication;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition in tests, with a generous deadline instead of a timing assertion. */
final class ReplicaSetWait {

    private ReplicaSetWait() {
    }

    static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(5);
        }
    }
}

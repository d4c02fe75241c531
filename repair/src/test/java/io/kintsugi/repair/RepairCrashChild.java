package io.kintsugi.repair;

import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.oplog.Durability;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.ValidatorOptions;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of {@link RepairCrashTest}: the target replica. Opens the store with a validator, starts a
 * {@link RepairAgent} on 127.0.0.1 and prints {@code endpoint <host:port>}; the parent then orders a pull over the
 * wire. The agent's progress is printed as {@code step <STEP> <pairs>}; at the step the parent chose it prints
 * {@code paused <STEP>} and stops there (for {@code INSTALLING} it carries on into the install), waiting for the
 * SIGKILL.
 */
final class RepairCrashChild {

    private RepairCrashChild() {
    }

    /**
     * @param args the store directory, the step to stop at, the pairs staged before stopping at {@code FETCHING},
     *             the agent's memory limit
     */
    public static void main(String[] args) {
        watchParent();
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.US_ASCII);
        PullProgress.Step stopAt = PullProgress.Step.valueOf(args[1]);
        long stopAfterPairs = Long.parseLong(args[2]);
        long memoryLimit = Long.parseLong(args[3]);
        try {
            Validator validator = Validator.create(ValidatorOptions.builder().build());
            Store store = Store.open(Path.of(args[0]), options(validator));
            PullProgress progress = (step, pairs) -> {
                if (step != PullProgress.Step.FETCHING) {
                    out.println("step " + step + " " + pairs);
                }
                if (step == stopAt && (step != PullProgress.Step.FETCHING || pairs == stopAfterPairs)) {
                    out.println("paused " + step);
                    while (step != PullProgress.Step.INSTALLING) {
                        LockSupport.park();
                    }
                }
            };
            RepairAgent agent = RepairAgent.start(store, validator, RepairAgentOptions.builder()
                    .secret(RepairReplicas.SECRET).host("127.0.0.1").memoryLimit(memoryLimit).build(), progress);
            out.println("endpoint " + agent.endpoint());
            while (true) {
                LockSupport.park();
            }
        } catch (Throwable t) {
            t.printStackTrace();
            Runtime.getRuntime().halt(2);
        }
    }

    /** The target's store options, in the child and in the parent's checks after each kill. */
    static StoreOptions options(Validator validator) {
        return validator.attachTo(StoreOptions.builder()).durability(Durability.SYNC).blockSize(4096)
                .memtableBudget(1 << 20).build();
    }

    /** Halts when the parent goes away (stdin reaches end of file), so that no child outlives a test run. */
    private static void watchParent() {
        Thread t = new Thread(() -> {
            try {
                InputStream in = System.in;
                while (in.read() >= 0) {
                    // nothing is sent; only the end matters
                }
            } catch (IOException ignored) {
                // the same as the end
            }
            Runtime.getRuntime().halt(3);
        }, "watch-parent");
        t.setDaemon(true);
        t.start();
    }
}

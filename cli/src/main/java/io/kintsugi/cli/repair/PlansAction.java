package io.kintsugi.cli.repair;

import io.kintsugi.cli.ArgumentParser;
import io.kintsugi.cli.ExitCode;
import io.kintsugi.cli.JsonWriter;
import io.kintsugi.cli.Option;
import io.kintsugi.cli.ParsedArguments;
import io.kintsugi.repair.net.KeyFingerprint;
import io.kintsugi.repair.net.PendingPlan;
import io.kintsugi.repair.net.PlanListing;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code kintsugi repair plans HOST:PORT}: the repair plans waiting for approval in the process whose repair server
 * listens there (the repair service beside the primary), as metadata: ranges as fingerprints, never key bytes.
 */
final class PlansAction {

    /** Default wait for the listing, in seconds. */
    static final int TIMEOUT_SECONDS = 30;

    static final ArgumentParser PARSER = new ArgumentParser("repair plans", List.of("HOST:PORT"), List.of(
            RemoteRepairServer.SECRET_FILE, Option.flag("json", "print JSON instead of text"),
            RemoteRepairServer.timeoutOption(TIMEOUT_SECONDS)));

    private PlansAction() {
    }

    /**
     * Lists the plans.
     *
     * @param args the arguments after {@code plans}
     * @param out  where the listing goes
     * @return {@link ExitCode#OK} once listed, whether or not any plan waits
     */
    static int run(List<String> args, PrintStream out) {
        ParsedArguments parsed = PARSER.parse(args);
        RemoteRepairServer server = RemoteRepairServer.of(parsed, TIMEOUT_SECONDS);
        PlanListing listing = server.client().plans(server.endpoint());
        if (parsed.has("json")) {
            out.println(json(server.endpoint(), listing));
        } else {
            text(server.endpoint(), listing, out);
        }
        return ExitCode.OK;
    }

    private static void text(String endpoint, PlanListing listing, PrintStream out) {
        long n = listing.waiting();
        out.println(n + (n == 1 ? " plan waits" : " plans wait") + " for approval at " + endpoint
                + (n > listing.plans().size() ? " (listing the oldest " + listing.plans().size() + ")" : ""));
        for (PendingPlan p : listing.plans()) {
            out.println("  " + p.repairId() + "  " + p.namespace() + " " + p.range());
            out.println("      target " + p.target() + ", source " + p.source());
            out.println("      sequence " + p.sequence() + ", " + p.pairs() + " pairs, about " + p.bytesEstimate()
                    + " bytes, waiting " + p.age().toSeconds() + " s");
        }
        if (n > 0) {
            out.println("Decide one: kintsugi repair approve|reject " + endpoint + " ID");
        }
    }

    private static String json(String endpoint, PlanListing listing) {
        JsonWriter w = new JsonWriter().beginObject();
        w.name("version").value(1);
        w.name("endpoint").value(endpoint);
        w.name("waiting").value(listing.waiting());
        w.name("plans").beginArray();
        for (PendingPlan p : listing.plans()) {
            w.beginObject();
            w.name("repairId").value(p.repairId());
            w.name("namespace").value(p.namespace());
            w.name("range").value(p.range());
            bound(w, "from", p.from());
            bound(w, "to", p.to());
            w.name("target").value(p.target());
            w.name("source").value(p.source());
            w.name("sequence").value(p.sequence());
            w.name("pairs").value(p.pairs());
            w.name("bytesEstimate").value(p.bytesEstimate());
            w.name("ageMillis").value(p.age().toMillis());
            w.endObject();
        }
        w.endArray();
        return w.endObject().toString();
    }

    /** A bound as its length and hash, or null for an open one (the namespace's start or end). */
    private static void bound(JsonWriter w, String name, KeyFingerprint f) {
        w.name(name);
        if (f == null) {
            w.value((String) null);
            return;
        }
        w.beginObject().name("length").value(f.length()).name("hash").value(String.format("%08x", f.hash()))
                .endObject();
    }
}

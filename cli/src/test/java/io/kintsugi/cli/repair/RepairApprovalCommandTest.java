package io.kintsugi.cli.repair;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kintsugi.cli.CliRun;
import io.kintsugi.cli.Commands;
import io.kintsugi.cli.ExitCode;
import io.kintsugi.cli.Kintsugi;
import io.kintsugi.repair.RepairPlan;
import io.kintsugi.repair.lineage.LineageQuery;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kintsugi repair plans|approve|reject} against a real repair service over TCP on 127.0.0.1: three replicas
 * under the approval policy, one follower with two logically corrupted keys in two ranges, so two plans wait. The
 * command lists them, rejects one (nothing changes) and approves the other (repaired: the three replicas read the
 * same), and refuses a second decision, an unknown id, a wrong secret and a server without a service. No output
 * holds key bytes.
 */
class RepairApprovalCommandTest {

    private static final Kintsugi KINTSUGI = new Kintsugi(Commands.of(new RepairCommand()));
    private static final byte[] WRONG = "wrong".getBytes(StandardCharsets.US_ASCII);
    private static final int VICTIM = 1;

    @TempDir
    Path work;

    private final List<CliRun> runs = new ArrayList<>();

    private CliRun repair(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "repair";
        System.arraycopy(args, 0, all, 1, args.length);
        CliRun r = CliRun.run(KINTSUGI, all);
        runs.add(r);
        return r;
    }

    private Path secretFile(String name, byte[] secret) throws Exception {
        Path f = work.resolve(name);
        Files.write(f, secret);
        return f;
    }

    @Test
    void plansAreListedOneIsRejectedAndOneApprovedFromTheCommandLine() throws Exception {
        try (ApprovalReplicas set = new ApprovalReplicas(work.resolve("replicas"))) {
            set.load(0xA991, 3000);
            set.corrupt(VICTIM, 700, WRONG);
            set.corrupt(VICTIM, 2600, WRONG);
            set.scan();
            ApprovalReplicas.until(() -> set.service.pendingPlans().size() == 2);
            List<RepairPlan> waiting = set.service.pendingPlans();
            String endpoint = set.agents[0].endpoint();
            String secret = secretFile("secret", ApprovalReplicas.SECRET).toString();
            String wrongSecret = secretFile("wrong-secret", "not-the-agents-secret-at-all".getBytes(
                    StandardCharsets.US_ASCII)).toString();

            // A wrong secret is refused before anything is asked, and changes nothing.
            CliRun refused = repair("plans", endpoint, "--secret-file", wrongSecret);
            assertEquals(ExitCode.NOT_COMPLETED, refused.code(), refused.toString());
            assertTrue(refused.err().contains("shared secret"), refused.err());
            CliRun refusedApprove = repair("approve", endpoint, waiting.get(0).repairId(), "--secret-file",
                    wrongSecret);
            assertEquals(ExitCode.NOT_COMPLETED, refusedApprove.code(), refusedApprove.toString());
            CliRun noSecret = repair("approve", endpoint, waiting.get(0).repairId());
            assertEquals(ExitCode.NOT_COMPLETED, noSecret.code(), noSecret.toString());
            assertEquals(2, set.service.pendingPlans().size());

            CliRun plans = repair("plans", endpoint, "--secret-file", secret);
            assertEquals(ExitCode.OK, plans.code(), plans.toString());
            assertTrue(plans.out().startsWith("2 plans wait for approval at " + endpoint + "\n"), plans.out());
            for (RepairPlan p : waiting) {
                assertTrue(plans.out().contains("  " + p.repairId() + "  orders [key#"), plans.out());
                assertTrue(plans.out().contains("target " + p.target() + ", source " + p.source() + "\n"
                        + "      sequence " + p.sequence() + ", " + p.pairs() + " pairs, about " + p.bytesEstimate()
                        + " bytes, waiting "), plans.out());
                assertEquals(set.agents[VICTIM].replicaId(), p.target());
            }

            CliRun json = repair("plans", endpoint, "--secret-file", secret, "--json");
            assertEquals(ExitCode.OK, json.code(), json.toString());
            JsonObject doc = JsonParser.parseString(json.out()).getAsJsonObject();
            assertEquals(2, doc.get("waiting").getAsInt());
            JsonArray listed = doc.getAsJsonArray("plans");
            assertEquals(2, listed.size());
            for (int i = 0; i < 2; i++) {
                JsonObject p = listed.get(i).getAsJsonObject();
                RepairPlan expected = waiting.get(i);
                assertEquals(expected.repairId(), p.get("repairId").getAsString());
                assertEquals("orders", p.get("namespace").getAsString());
                assertEquals(expected.sequence(), p.get("sequence").getAsLong());
                assertEquals(expected.pairs(), p.get("pairs").getAsLong());
                assertEquals(expected.bytesEstimate(), p.get("bytesEstimate").getAsLong());
                assertTrue(p.get("ageMillis").getAsLong() >= 0);
                assertTrue(p.get("range").getAsString().startsWith("[key#"), p.toString());
            }

            // Reject one: nothing changes, and the primary's health log says who and why.
            RepairPlan rejected = waiting.get(1);
            CliRun reject = repair("reject", endpoint, rejected.repairId(), "--secret-file", secret, "--why",
                    "ops: not during the sale");
            assertEquals(ExitCode.OK, reject.code(), reject.toString());
            assertTrue(reject.out().startsWith("Plan " + rejected.repairId() + " rejected: nothing changed\n"),
                    reject.out());
            assertTrue(reject.out().contains("last step: rejected, nothing changed: ops: not during the sale"),
                    reject.out());
            assertTrue(set.validators[0].health().query(HealthQuery.builder().kinds(HealthKind.REPAIR).build())
                    .stream().anyMatch(e -> e.detail().contains("rejected, nothing changed: ops: not during the "
                            + "sale")));
            assertTrue(set.agents[VICTIM].lineage().query(LineageQuery.all()).isEmpty(), "nothing was copied");
            assertArrayEquals(WRONG, set.stores[VICTIM].namespace("orders").get(ApprovalReplicas.key(700)));
            assertArrayEquals(WRONG, set.stores[VICTIM].namespace("orders").get(ApprovalReplicas.key(2600)));

            // Approve the other: it is repaired, and the command says so.
            RepairPlan approved = waiting.get(0);
            CliRun approve = repair("approve", endpoint, approved.repairId(), "--secret-file", secret, "--json");
            assertEquals(ExitCode.OK, approve.code(), approve.toString());
            JsonObject outcome = JsonParser.parseString(approve.out()).getAsJsonObject();
            assertEquals("REPAIRED", outcome.get("outcome").getAsString(), approve.out());
            assertEquals(approved.target(), outcome.get("target").getAsString());
            assertEquals(approved.pairs(), outcome.get("pairs").getAsLong());
            assertTrue(outcome.get("proofSequence").getAsLong() > approved.sequence(), approve.out());
            assertEquals(1, set.agents[VICTIM].lineage().query(LineageQuery.all()).size());
            assertTrue(set.service.pendingPlans().isEmpty(), set.service.pendingPlans().toString());

            // Three-way equal, but for the rejected range's key on the victim; exactly one key was repaired.
            set.awaitReplicated();
            boolean firstStillWrong = Arrays.equals(WRONG,
                    set.stores[VICTIM].namespace("orders").get(ApprovalReplicas.key(700)));
            boolean secondStillWrong = Arrays.equals(WRONG,
                    set.stores[VICTIM].namespace("orders").get(ApprovalReplicas.key(2600)));
            assertTrue(firstStillWrong != secondStillWrong, "the approved range is repaired, the rejected one not");
            String leftAlone = new String(ApprovalReplicas.key(firstStillWrong ? 700 : 2600),
                    StandardCharsets.US_ASCII);
            int compared = 0;
            for (Map.Entry<String, byte[]> e : set.written.entrySet()) {
                byte[] key = e.getKey().getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < set.stores.length; i++) {
                    if (i == VICTIM && e.getKey().equals(leftAlone)) {
                        continue;
                    }
                    if (!Arrays.equals(e.getValue(), set.stores[i].namespace("orders").get(key))) {
                        // Never print the bytes: which replica, and the key's position.
                        throw new AssertionError("replica " + i + " reads a wrong value for written key number "
                                + compared);
                    }
                }
                compared++;
            }
            assertEquals(3000, compared);

            // A second decision on either plan, and an unknown id, are refused with exit 1.
            CliRun again = repair("approve", endpoint, approved.repairId(), "--secret-file", secret);
            assertEquals(ExitCode.CORRUPTION_FOUND, again.code(), again.toString());
            assertTrue(again.err().contains("refused: ") && again.err().contains("was approved already"),
                    again.err());
            CliRun rejectAgain = repair("approve", endpoint, rejected.repairId(), "--secret-file", secret);
            assertEquals(ExitCode.CORRUPTION_FOUND, rejectAgain.code(), rejectAgain.toString());
            assertTrue(rejectAgain.err().contains("was rejected already"), rejectAgain.err());
            CliRun unknown = repair("reject", endpoint, "0000deadbeef0000", "--secret-file", secret);
            assertEquals(ExitCode.CORRUPTION_FOUND, unknown.code(), unknown.toString());
            assertTrue(unknown.err().contains("no plan 0000deadbeef0000 waits for approval"), unknown.err());

            // A follower's agent has no repair service attached: the command cannot complete there.
            CliRun noService = repair("plans", set.agents[2].endpoint(), "--secret-file", secret);
            assertEquals(ExitCode.NOT_COMPLETED, noService.code(), noService.toString());
            assertTrue(noService.err().contains("no repair service is attached"), noService.err());

            CliRun empty = repair("plans", endpoint, "--secret-file", secret);
            assertEquals(ExitCode.OK, empty.code(), empty.toString());
            assertEquals("0 plans wait for approval at " + endpoint + "\n", empty.out());
        }
        for (CliRun r : runs) {
            assertFalse(r.out().contains(ApprovalReplicas.KEY_MARKER)
                    || r.err().contains(ApprovalReplicas.KEY_MARKER), "an output shows key bytes: " + r.code());
        }
    }

    @Test
    void usageErrorsExitTwoAndAnUnreachableServerExitsThree() throws Exception {
        String secret = secretFile("secret", ApprovalReplicas.SECRET).toString();
        CliRun noPort = repair("plans", "localhost", "--secret-file", secret);
        assertEquals(ExitCode.USAGE_ERROR, noPort.code(), noPort.toString());
        assertTrue(noPort.err().contains("HOST:PORT expects a host, a colon and a port"), noPort.err());
        CliRun badPort = repair("plans", "127.0.0.1:70000");
        assertEquals(ExitCode.USAGE_ERROR, badPort.code(), badPort.toString());
        CliRun noId = repair("approve", "127.0.0.1:7400");
        assertEquals(ExitCode.USAGE_ERROR, noId.code(), noId.toString());
        assertTrue(noId.err().contains("missing ID"), noId.err());
        CliRun badId = repair("reject", "127.0.0.1:7400", "two words");
        assertEquals(ExitCode.USAGE_ERROR, badId.code(), badId.toString());
        assertTrue(badId.err().contains("printable ASCII"), badId.err());
        CliRun timeout = repair("approve", "127.0.0.1:7400", "abc", "--timeout", "0");
        assertEquals(ExitCode.USAGE_ERROR, timeout.code(), timeout.toString());
        CliRun whyOnApprove = repair("approve", "127.0.0.1:7400", "abc", "--why", "x");
        assertEquals(ExitCode.USAGE_ERROR, whyOnApprove.code(), whyOnApprove.toString());
        CliRun shortSecret = repair("plans", "127.0.0.1:7400", "--secret-file",
                secretFile("short", "tooshort".getBytes(StandardCharsets.US_ASCII)).toString());
        assertEquals(ExitCode.USAGE_ERROR, shortSecret.code(), shortSecret.toString());
        assertTrue(shortSecret.err().contains("holds 8 bytes; a shared secret is at least 16 bytes"),
                shortSecret.err());
        assertFalse(shortSecret.err().contains("tooshort"), "the secret itself is never printed");

        CliRun missingSecret = repair("plans", "127.0.0.1:7400", "--secret-file",
                work.resolve("absent").toString());
        assertEquals(ExitCode.NOT_COMPLETED, missingSecret.code(), missingSecret.toString());
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        CliRun unreachable = repair("plans", "127.0.0.1:" + closed, "--secret-file", secret);
        assertEquals(ExitCode.NOT_COMPLETED, unreachable.code(), unreachable.toString());
        assertTrue(unreachable.err().contains("could not connect to the repair server at 127.0.0.1:" + closed),
                unreachable.err());
    }
}

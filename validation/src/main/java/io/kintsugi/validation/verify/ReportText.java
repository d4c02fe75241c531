package io.kintsugi.validation.verify;

import java.util.Map;

/** Renders a {@link VerifyReport} for people. */
final class ReportText {

    private ReportText() {
    }

    static String render(VerifyReport r) {
        StringBuilder sb = new StringBuilder();
        VerifyCounts c = r.counts();
        sb.append("verify ").append(r.storeDirectory()).append(" (").append(r.online() ? "online" : "offline")
                .append(", level ").append(r.level()).append("): ").append(r.status()).append('\n');
        sb.append("  examined ").append(c.files()).append(" files, ").append(c.blocks()).append(" blocks, ")
                .append(c.records()).append(" records, ").append(c.entries()).append(" entries; read ")
                .append(c.bytesRead()).append(" bytes\n");
        sb.append("components:\n");
        for (Map.Entry<VerifyComponent, VerifyStatus> e : r.components().entrySet()) {
            sb.append(String.format("  %-14s %s%n", e.getKey(), e.getValue()));
        }
        long bad = r.files().stream().filter(f -> f.status() != VerifyStatus.OK).count();
        if (bad > 0) {
            sb.append("files not OK:\n");
            for (FileVerdict f : r.files()) {
                if (f.status() != VerifyStatus.OK) {
                    sb.append("  ").append(f.status()).append(' ').append(f.file()).append(" (")
                            .append(f.component()).append(", ").append(f.problems()).append(" problems)\n");
                }
            }
        }
        if (!r.problems().isEmpty()) {
            sb.append("problems (").append(r.problems().size()).append("):\n");
            for (VerifyProblem p : r.problems()) {
                sb.append("  ").append(p.kind()).append(" in ").append(p.file());
                if (p.offset() >= 0) {
                    sb.append(" at offset ").append(p.offset());
                }
                sb.append(" [").append(p.component()).append("]: ").append(p.message()).append('\n');
            }
        }
        if (!r.notes().isEmpty()) {
            sb.append("notes:\n");
            for (String n : r.notes()) {
                sb.append("  ").append(n).append('\n');
            }
        }
        return sb.toString();
    }
}

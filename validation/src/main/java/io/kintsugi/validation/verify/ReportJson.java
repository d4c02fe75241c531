package io.kintsugi.validation.verify;

import java.util.Iterator;
import java.util.Map;

/** Renders a {@link VerifyReport} as JSON, by hand: the shape is small and fixed, and needs no library. */
final class ReportJson {

    private ReportJson() {
    }

    static String render(VerifyReport r) {
        StringBuilder sb = new StringBuilder(1024);
        VerifyCounts c = r.counts();
        sb.append("{\n  \"version\": ").append(VerifyReport.JSON_VERSION).append(",\n");
        sb.append("  \"store\": ").append(quote(r.storeDirectory().toString())).append(",\n");
        sb.append("  \"mode\": ").append(quote(r.online() ? "online" : "offline")).append(",\n");
        sb.append("  \"level\": ").append(quote(r.level().name())).append(",\n");
        sb.append("  \"status\": ").append(quote(r.status().name())).append(",\n");
        sb.append("  \"components\": {");
        Iterator<Map.Entry<VerifyComponent, VerifyStatus>> it = r.components().entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<VerifyComponent, VerifyStatus> e = it.next();
            sb.append(quote(e.getKey().name())).append(": ").append(quote(e.getValue().name()));
            if (it.hasNext()) {
                sb.append(", ");
            }
        }
        sb.append("},\n");
        sb.append("  \"counts\": {\"files\": ").append(c.files()).append(", \"blocks\": ").append(c.blocks())
                .append(", \"records\": ").append(c.records()).append(", \"entries\": ").append(c.entries())
                .append(", \"bytesRead\": ").append(c.bytesRead()).append("},\n");
        sb.append("  \"files\": [");
        for (int i = 0; i < r.files().size(); i++) {
            FileVerdict f = r.files().get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"file\": ").append(quote(f.file().toString()))
                    .append(", \"component\": ").append(quote(f.component().name())).append(", \"status\": ")
                    .append(quote(f.status().name())).append(", \"problems\": ").append(f.problems()).append('}');
        }
        sb.append(r.files().isEmpty() ? "],\n" : "\n  ],\n");
        sb.append("  \"problems\": [");
        for (int i = 0; i < r.problems().size(); i++) {
            VerifyProblem p = r.problems().get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"file\": ").append(quote(p.file().toString()))
                    .append(", \"offset\": ").append(p.offset()).append(", \"kind\": ").append(quote(p.kind().name()))
                    .append(", \"component\": ").append(quote(p.component().name())).append(", \"message\": ")
                    .append(quote(p.message())).append('}');
        }
        sb.append(r.problems().isEmpty() ? "],\n" : "\n  ],\n");
        sb.append("  \"notes\": [");
        for (int i = 0; i < r.notes().size(); i++) {
            sb.append(i == 0 ? "\n" : ",\n").append("    ").append(quote(r.notes().get(i)));
        }
        sb.append(r.notes().isEmpty() ? "]\n" : "\n  ]\n");
        return sb.append("}\n").toString();
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259, section 7). */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
            }
        }
        return sb.append('"').toString();
    }
}

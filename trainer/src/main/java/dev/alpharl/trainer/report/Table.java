package dev.alpharl.trainer.report;

import java.util.List;

/** A text table rendered as Markdown or HTML; the first column is the row heading. */
public record Table(List<String> header, List<List<String>> rows) {
    public Table {
        header = List.copyOf(header);
        rows = rows.stream().map(List::copyOf).toList();
        for (List<String> row : rows) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException(
                        "row " + row + " has " + row.size() + " cells, header " + header.size());
            }
        }
    }

    public String markdown() {
        StringBuilder text = new StringBuilder();
        markdownRow(text, header);
        text.append('|').append("---|".repeat(header.size())).append('\n');
        rows.forEach(row -> markdownRow(text, row));
        return text.toString();
    }

    private static void markdownRow(StringBuilder text, List<String> cells) {
        text.append('|');
        for (String cell : cells) {
            text.append(' ').append(cell.replace("|", "\\|")).append(" |");
        }
        text.append('\n');
    }

    public String html() {
        StringBuilder text = new StringBuilder("<table>\n<tr>");
        header.forEach(cell -> text.append("<th>").append(escapeHtml(cell)).append("</th>"));
        text.append("</tr>\n");
        for (List<String> row : rows) {
            text.append("<tr><th>").append(escapeHtml(row.get(0))).append("</th>");
            row.subList(1, row.size())
                    .forEach(
                            cell -> text.append("<td>").append(escapeHtml(cell)).append("</td>"));
            text.append("</tr>\n");
        }
        return text.append("</table>\n").toString();
    }

    static String escapeHtml(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}

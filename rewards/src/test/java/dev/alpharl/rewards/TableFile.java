package dev.alpharl.rewards;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A hand-written test table beside the tests: one case per line, {@code columns} fields separated by " ¦ ", blank
 * lines and {@code #} comments skipped; the column at {@code verdictColumn} is 0 or 1.
 */
final class TableFile {

    /** One case: its line number in the file and its fields. */
    record Line(int number, String[] columns) {}

    private TableFile() {}

    static List<Line> read(String resource, int columns, int verdictColumn) throws IOException {
        List<Line> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                Objects.requireNonNull(TableFile.class.getResourceAsStream(resource)), StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] cols = line.split(" ¦ ", columns);
                if (cols.length != columns)
                    throw new IllegalStateException(
                            resource + " line " + n + ": expected " + columns + " columns separated by ' ¦ '");
                if (!cols[verdictColumn].equals("0") && !cols[verdictColumn].equals("1"))
                    throw new IllegalStateException(resource + " line " + n + ": expected 0 or 1");
                lines.add(new Line(n, cols));
            }
        }
        return lines;
    }
}

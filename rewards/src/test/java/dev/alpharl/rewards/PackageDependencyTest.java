package dev.alpharl.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package cycles inside the rewards module: a subpackage never imports (or names) a class of the parent
 * package, and {@code math} never uses {@code countdown}. Checked on the sources, so it needs no extra library.
 */
class PackageDependencyTest {
    private static final Path ROOT = Path.of("src/main/java/dev/alpharl/rewards");
    private static final Pattern REFERENCE = Pattern.compile("dev\\.alpharl\\.rewards\\.([A-Za-z]+)");

    @Test
    void subpackagesNeverDependOnTheParentAndMathNeverOnCountdown() throws IOException {
        assertThat(ROOT).isDirectory();
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> paths = Files.walk(ROOT)) {
            for (Path p : paths.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path dir = ROOT.relativize(p.getParent());
                if (dir.toString().isEmpty()) continue; // the parent package itself
                files++;
                String sub = dir.getName(0).toString();
                Matcher m = REFERENCE.matcher(Files.readString(p));
                while (m.find()) {
                    String target = m.group(1);
                    boolean parentClass = Character.isUpperCase(target.charAt(0));
                    if (parentClass || (sub.equals("math") && target.equals("countdown")))
                        violations.add(ROOT.relativize(p) + " -> dev.alpharl.rewards." + target);
                }
            }
        }
        assertThat(files).isGreaterThan(5);
        assertThat(violations).isEmpty();
    }
}

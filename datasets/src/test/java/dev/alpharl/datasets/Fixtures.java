package dev.alpharl.datasets;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The JSONL fixtures under src/test/resources/fixtures. */
public final class Fixtures {

    private Fixtures() {}

    public static Path dir() {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path path(String name) {
        return dir().resolve(name);
    }
}

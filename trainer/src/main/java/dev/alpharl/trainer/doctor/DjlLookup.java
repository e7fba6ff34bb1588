package dev.alpharl.trainer.doctor;

import ai.djl.engine.Engine;
import ai.djl.util.ClassLoaderUtils;
import ai.djl.util.Platform;
import ai.djl.util.Utils;
import dev.alpharl.trainer.doctor.DoctorReport.DjlInfo;
import dev.alpharl.trainer.doctor.DoctorReport.LibtorchChoice;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How DJL 0.36 (its {@code LibUtils}) picks libtorch and the JNI library, restated as facts the doctor can check from
 * files and settings alone:
 *
 * <ul>
 *   <li>PYTORCH_LIBRARY_PATH (environment first, then -D property) is a ':'-list; the first entry that is
 *       libtorch.so or holds it wins. An entry that does not is skipped <em>silently</em>: with none left, DJL uses
 *       the libtorch bundled in trainer.jar (the CPU build) or, for a PYTORCH_VERSION other than the bundled one,
 *       downloads one (refused offline).
 *   <li>Every shared library under that directory is loaded (recursively); libtorch_cuda.so and its companions only
 *       when the flavour contains "cu".
 *   <li>The flavour is PYTORCH_FLAVOR, else, with PYTORCH_LIBRARY_PATH, "cuNNN-precxx11" when libcudart (loaded
 *       through JNA) reports a GPU, else "cpu-precxx11"; the bundled libtorch has "cpu".
 *   <li>The JNI library is taken from, in order: VERSION-libdjl_torch.so or libdjl_torch.so next to libtorch.so;
 *       DJL's cache (PYTORCH_VERSION-FLAVOR-PLATFORM/VERSION-libdjl_torch.so); trainer.jar's pytorch-jni
 *       (jnilib/PLATFORM/FLAVOR/) when its libtorch version matches; else a download from publish.djl.ai.
 *   <li>GPUs are counted through libcudart loaded by JNA by the name "cudart": libcudart.so on the loader's path, or
 *       libcudart.so or libcudart.so.N in -Djna.library.path (pip's wheels ship only libcudart.so.N).
 * </ul>
 */
public final class DjlLookup {

    private static final Pattern VERSION = Pattern.compile("(\\d+\\.\\d+\\.\\d+(-[a-z]+)?)(-SNAPSHOT)?(-\\d+)?");

    private DjlLookup() {}

    /** Settings read the way DJL reads them: the environment first, then system properties. */
    public record Settings(Map<String, String> env, Map<String, String> properties) {

        /** The value DJL sees, or null when unset or empty. */
        public String value(String name) {
            String v = env.get(name);
            if (v == null) {
                v = properties.get(name);
            }
            return v == null || v.isEmpty() ? null : v;
        }

        /** Whether downloads are refused: DJL_OFFLINE or ai.djl.offline, the trainer's default being true. */
        public boolean offline() {
            String v = env.get("DJL_OFFLINE");
            if (v == null) {
                v = properties.get("ai.djl.offline");
            }
            return v == null || Boolean.parseBoolean(v);
        }
    }

    /** The first PYTORCH_LIBRARY_PATH entry DJL would use, as a directory, or null. */
    public static String firstLibtorchEntry(String libraryPath) {
        if (libraryPath == null) {
            return null;
        }
        for (String entry : libraryPath.split(":")) {
            if (entry.isEmpty()) {
                continue;
            }
            Path p = Path.of(entry);
            if (Files.isRegularFile(p) && p.getFileName().toString().equals("libtorch.so")) {
                return p.toAbsolutePath().getParent().toString();
            }
            if (Files.isRegularFile(p.resolve("libtorch.so"))) {
                return p.toAbsolutePath().toString();
            }
        }
        return null;
    }

    /** DJL and trainer.jar's PyTorch pieces, read from the class path (nothing native is loaded). */
    public static DjlInfo djlInfo(Settings settings) {
        List<String> errors = new ArrayList<>();
        String version = null;
        try {
            version = Engine.getDjlVersion();
        } catch (RuntimeException | LinkageError e) {
            errors.add("DJL version: " + e);
        }
        String bundled = null;
        String bundledFlavour = null;
        String classifier = "linux-x86_64";
        try {
            Platform platform = Platform.detectPlatform("pytorch");
            bundled = platform.isPlaceholder() ? null : platform.getVersion();
            bundledFlavour = platform.isPlaceholder() ? null : platform.getFlavor();
            classifier = platform.getClassifier();
            if (version == null) {
                version = platform.getApiVersion();
            }
        } catch (RuntimeException | LinkageError e) {
            errors.add("bundled libtorch: " + e.getMessage());
        }
        String jniVersion = null;
        List<String> flavours = List.of();
        try {
            URL url = ClassLoaderUtils.getResource("jnilib/pytorch.properties");
            if (url != null) {
                Properties p = new Properties();
                try (InputStream in = url.openStream()) {
                    p.load(in);
                }
                jniVersion = p.getProperty("jni_version");
                flavours = jniFlavours(url, classifier);
            }
        } catch (IOException | RuntimeException e) {
            errors.add("JNI library: " + e.getMessage());
        }
        String cacheDir = null;
        try {
            cacheDir = Utils.getEngineCacheDir("pytorch").toString();
        } catch (RuntimeException e) {
            errors.add("cache dir: " + e.getMessage());
        }
        return new DjlInfo(
                version,
                jniVersion,
                flavours,
                bundled,
                bundledFlavour,
                classifier,
                cacheDir,
                settings.offline(),
                errors.isEmpty() ? null : String.join("; ", errors));
    }

    /** The flavours trainer.jar's pytorch-jni has a library for on {@code classifier}. */
    private static List<String> jniFlavours(URL properties, String classifier) throws IOException {
        TreeSet<String> flavours = new TreeSet<>();
        String prefix = "jnilib/" + classifier + "/";
        URLConnection connection = properties.openConnection();
        if (connection instanceof JarURLConnection jar) {
            jar.setUseCaches(false);
            try (JarFile file = jar.getJarFile()) {
                file.stream()
                        .map(JarEntry::getName)
                        .filter(n -> n.startsWith(prefix) && n.endsWith("djl_torch.so"))
                        .forEach(n -> flavours.add(n.substring(prefix.length(), n.lastIndexOf('/'))));
            }
        } else if ("file".equals(properties.getProtocol())) {
            Path dir;
            try {
                dir = Path.of(properties.toURI()).getParent().resolve(classifier);
            } catch (java.net.URISyntaxException e) {
                throw new IOException(e);
            }
            try (Stream<Path> files = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
                files.filter(d -> Files.exists(d.resolve("libdjl_torch.so")))
                        .forEach(d -> flavours.add(d.getFileName().toString()));
            }
        }
        return List.copyOf(flavours);
    }

    /**
     * The flavour DJL derives when PYTORCH_FLAVOR is unset and PYTORCH_LIBRARY_PATH is used, from what libcudart
     * reported in the engine check; null when unknown (no engine check).
     */
    static String derivedFlavour(EngineFacts engine) {
        if (engine == null || engine.djlGpuCount() == null) {
            return null;
        }
        if (engine.djlGpuCount() > 0
                && engine.cudart() != null
                && engine.cudart().runtimeVersion() != null) {
            return "cu" + cudaDigits(engine.cudart().runtimeVersion()) + "-precxx11";
        }
        return "cpu-precxx11";
    }

    /** A CUDA version number (12080) as DJL writes it in flavours ("128"). */
    static String cudaDigits(int version) {
        return String.format(Locale.ROOT, "%02d", version / 1000) + (version / 10) % 10;
    }

    /** Where DJL will take libtorch and the JNI library from, given the settings and what is on disk. */
    public static LibtorchChoice predict(Settings s, DjlInfo djl, EngineFacts engine) {
        List<String> entries = new ArrayList<>();
        String libraryPath = s.value("PYTORCH_LIBRARY_PATH");
        if (libraryPath != null) {
            for (String entry : libraryPath.split(":")) {
                if (entry.isEmpty()) {
                    continue;
                }
                Path p = Path.of(entry);
                if (!Files.exists(p)) {
                    entries.add(entry + ": does not exist");
                } else if (Files.isRegularFile(p) && p.getFileName().toString().equals("libtorch.so")) {
                    entries.add(entry + ": libtorch.so");
                } else if (Files.isRegularFile(p.resolve("libtorch.so"))) {
                    entries.add(entry + ": holds libtorch.so");
                } else {
                    entries.add(entry + ": no libtorch.so in it");
                }
            }
        }
        String version = s.value("PYTORCH_VERSION");
        String flavourSetting = s.value("PYTORCH_FLAVOR");
        String djlVersion = djl.version() == null ? "0.36.0" : djl.version();
        String dir = firstLibtorchEntry(libraryPath);
        Path cache = djl.cacheDir() == null ? null : Path.of(djl.cacheDir());
        if (dir != null) {
            TorchInstall torch = TorchInstall.inspect(Path.of(dir), djlVersion);
            String v = version != null ? version : djl.bundledLibtorch();
            String flavour = flavourSetting != null ? flavourSetting : derivedFlavour(engine);
            if (torch.jni() != null) {
                return new LibtorchChoice(entries, true, dir, torch, flavour, "next to libtorch: " + torch.jni(), true);
            }
            if (flavour == null) {
                return new LibtorchChoice(
                        entries,
                        true,
                        dir,
                        torch,
                        null,
                        "depends on the flavour DJL derives at start (PYTORCH_FLAVOR is unset): cuNNN-precxx11 or "
                                + "cpu-precxx11, for which trainer.jar has no JNI library (it has "
                                + String.join(", ", djl.jniFlavours()) + ")",
                        false);
            }
            if (cache != null && v != null) {
                Path cached = cache.resolve(v + "-" + flavour + "-" + djl.classifier())
                        .resolve(djlVersion + "-libdjl_torch.so");
                if (Files.exists(cached)) {
                    return new LibtorchChoice(entries, true, dir, torch, flavour, "DJL's cache: " + cached, true);
                }
            }
            Matcher m = VERSION.matcher(v == null ? "" : v);
            if (!m.matches()) {
                return new LibtorchChoice(
                        entries,
                        true,
                        dir,
                        torch,
                        flavour,
                        "none: PYTORCH_VERSION=" + v + " is not a version DJL accepts (write it as 2.7.1, without "
                                + "a +cu suffix)",
                        false);
            }
            String base = m.group(1);
            if (djl.jniVersion() != null && djl.jniVersion().startsWith(base + "-" + djlVersion)) {
                boolean inJar = djl.jniFlavours().contains(flavour);
                return new LibtorchChoice(
                        entries,
                        true,
                        dir,
                        torch,
                        flavour,
                        inJar
                                ? "trainer.jar's " + flavour + " JNI library (pytorch-jni " + djl.jniVersion()
                                        + ", built for libtorch " + djl.jniTorchVersion() + ")"
                                : "none: trainer.jar has no " + flavour + " JNI library (only "
                                        + String.join(", ", djl.jniFlavours()) + ")"
                                        + (flavourSetting == null
                                                ? "; " + flavour + " is what DJL derives when PYTORCH_FLAVOR is unset"
                                                : ""),
                        inJar);
            }
            return new LibtorchChoice(
                    entries,
                    true,
                    dir,
                    torch,
                    flavour,
                    "a download of DJL's JNI library for libtorch " + base + " (" + flavour + ") from publish.djl.ai"
                            + (djl.offline() ? ": refused, downloads are off (offline)" : ""),
                    !djl.offline());
        }
        String bundled = djl.bundledLibtorch();
        if (version != null && (bundled == null || !bundled.startsWith(version))) {
            return new LibtorchChoice(
                    entries,
                    false,
                    null,
                    null,
                    flavourSetting,
                    "a download of libtorch " + version + " and its JNI library from publish.djl.ai"
                            + (djl.offline() ? ": refused, downloads are off (offline)" : ""),
                    !djl.offline());
        }
        if (bundled == null) {
            return new LibtorchChoice(
                    entries, false, null, null, null, "none: trainer.jar carries no libtorch for this platform", false);
        }
        String flavour = djl.bundledFlavour();
        Path extracted = cache == null ? null : cache.resolve(bundled + "-" + flavour + "-" + djl.classifier());
        TorchInstall torch = extracted != null && TorchInstall.hasLibtorch(extracted)
                ? TorchInstall.inspect(extracted, djlVersion)
                : null;
        return new LibtorchChoice(
                entries,
                false,
                extracted == null ? null : extracted.toString(),
                torch,
                flavour,
                "trainer.jar's " + flavour + " JNI library (pytorch-jni " + djl.jniVersion() + "), extracted to "
                        + extracted,
                djl.jniFlavours().contains(flavour));
    }
}

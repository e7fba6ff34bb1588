package dev.alpharl.trainer.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@link EngineProbe} in a child JVM with this JVM's class path, environment and DJL/JNA/PyTorch properties,
 * so that a native crash or hang (a JNI library that does not match libtorch can do either) is reported instead of
 * ending the doctor.
 */
final class ChildProbe {

    /** Property prefixes passed on to the child: what DJL, JNA, libtorch's loader and the trainer read. */
    private static final List<String> FORWARDED = List.of(
            "ai.djl.",
            "jna.",
            "PYTORCH_",
            "DJL_",
            "ENGINE_CACHE_DIR",
            "OPT_OUT_TRACKING",
            "LIBSTDCXX_LIBRARY_PATH",
            "offline",
            "alpharl.",
            "log4j");

    /** What the child reported, or why it reported nothing; {@code log} holds its warnings and native messages. */
    record Outcome(EngineFacts facts, List<String> log) {}

    private ChildProbe() {}

    static Outcome run(Duration timeout) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("alpharl-doctor");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            for (Map.Entry<Object, Object> p : System.getProperties().entrySet()) {
                String key = p.getKey().toString();
                if (FORWARDED.stream().anyMatch(key::startsWith)) {
                    command.add("-D" + key + "=" + p.getValue());
                }
            }
            command.add("-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log"));
            command.add(EngineProbe.class.getName());
            Path out = tmp.resolve("out.txt");
            Path err = tmp.resolve("err.txt");
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            List<String> stdout = readLines(out);
            List<String> log = interesting(readLines(err));
            for (String line : stdout) {
                if (line.startsWith(EngineProbe.MARKER)) {
                    EngineFacts facts = new ObjectMapper()
                            .readValue(line.substring(EngineProbe.MARKER.length()), EngineFacts.class);
                    return new Outcome(facts, log);
                }
            }
            String why;
            if (!finished) {
                why = "the engine check did not finish within " + timeout.toSeconds()
                        + " s (killed): libtorch hung while loading or initialising CUDA";
            } else {
                int code = process.exitValue();
                why = "the engine check's JVM ended with exit code " + code
                        + (code > 128 ? " (signal " + (code - 128) + signalName(code - 128) + ")" : "")
                        + " before reporting";
                String frame = crashFrame(tmp);
                if (frame != null) {
                    why += "; it crashed in native code: " + frame;
                }
            }
            List<String> tail = log;
            if (!tail.isEmpty()) {
                why += "; its last output: "
                        + String.join(" | ", tail.subList(Math.max(0, tail.size() - 4), tail.size()));
            }
            return new Outcome(EngineFacts.notExamined(why), log);
        } catch (IOException | RuntimeException e) {
            return new Outcome(
                    EngineFacts.notExamined("could not run the engine check in a child JVM: " + e), List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(EngineFacts.notExamined("interrupted"), List.of());
        } finally {
            delete(tmp);
        }
    }

    /** Warnings and errors of the child's log, and lines libtorch or the JVM printed outside the log format. */
    static List<String> interesting(List<String> lines) {
        List<String> kept = new ArrayList<>();
        for (String line : lines) {
            boolean logLine = line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*");
            boolean important = line.contains(" WARN ") || line.contains(" ERROR ");
            boolean trace = line.startsWith("\tat ") || line.strip().startsWith("at ") || line.startsWith("\t... ");
            if ((logLine && important) || (!logLine && !trace && !line.isBlank())) {
                kept.add(line.strip());
            }
        }
        return kept.size() <= 20 ? kept : kept.subList(0, 20);
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 6 -> ", SIGABRT: how the JVM ends after a fatal error";
            case 9 -> ", SIGKILL";
            case 11 -> ", SIGSEGV";
            case 7 -> ", SIGBUS";
            default -> "";
        };
    }

    /** The "Problematic frame" of a JVM crash log, if the child left one. */
    private static String crashFrame(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path log : files.filter(f -> f.getFileName().toString().startsWith("hs_err"))
                    .toList()) {
                List<String> lines = readLines(log);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).contains("Problematic frame:") && i + 1 < lines.size()) {
                        return lines.get(i + 1).replaceFirst("^#\\s*", "").strip();
                    }
                }
            }
        } catch (IOException e) {
            // no crash log
        }
        return null;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file)
                    ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
                            .lines()
                            .filter(l -> !l.isBlank())
                            .toList()
                    : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind
        }
    }
}

package dev.alpharl.trainer.tensor.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random corruptions of a valid file's length field, header and size: opening and reading each result either
 * succeeds or throws {@link SafetensorsException}; never another exception, never a hang, never a JVM crash.
 */
class SafetensorsFuzzTest {

    private static final int ITERATIONS = 600;
    private static final String STRUCTURAL = "{}[],:\"-0 ";
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    private static final String[] DTYPES = {
        "F32", "F16", "BF16", "F64", "I64", "I32", "I8", "U8", "BOOL", "I16", "U64", "F8_E4M3", "f32", "", "BF1"
    };
    private static final String[] NUMBERS = {
        "0",
        "1",
        "-1",
        "7",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "4294967296",
        "2147483648",
        "1e3",
        "1.5",
        "-0",
        "00",
        "99999999999999999999999"
    };

    @TempDir
    Path dir;

    @Test
    void corruptedFilesOnlyEverRaiseSafetensorsException() throws Exception {
        byte[] valid = validFile();
        Random random = new Random(20240607L);
        int[] outcome = new int[2]; // accepted, rejected
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            try (NDManager manager = NDManager.newBaseManager()) {
                for (int i = 0; i < ITERATIONS; i++) {
                    int kind = random.nextInt(8);
                    byte[] mutated = mutate(valid, kind, random);
                    Path file = dir.resolve("fuzz-" + i + ".safetensors");
                    Files.write(file, mutated);
                    try (SafetensorsFile st = SafetensorsFile.open(file);
                            NDManager sub = manager.newSubManager()) {
                        for (String name : st.names()) {
                            st.readFloats(name);
                            st.load(name, sub);
                            st.load(name, sub, st.entry(name).dtype().loadedAs(), 16);
                        }
                        outcome[0]++;
                    } catch (SafetensorsException expected) {
                        assertThat(expected.getMessage()).startsWith(file.toString());
                        outcome[1]++;
                    } catch (Throwable other) {
                        fail(
                                "mutation " + i + " (kind " + kind + ") raised " + other + "; header: "
                                        + headerText(mutated),
                                other);
                    }
                    Files.delete(file);
                }
            }
        });
        assertThat(outcome[0] + outcome[1]).isEqualTo(ITERATIONS);
        assertThat(outcome[1]).as("mutations that were rejected").isGreaterThan(ITERATIONS / 2);
        assertThat(outcome[0])
                .as("mutations that stayed valid (e.g. padding or data bytes)")
                .isGreaterThan(0);
    }

    private byte[] validFile() throws Exception {
        Path file = dir.resolve("valid.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            new SafetensorsWriter()
                    .add("embed", new float[] {1, 2, 3, 4, 5, 6}, new long[] {3, 2}, SafetensorsDtype.BF16)
                    .add("proj", new float[] {0.5f, -0.5f, 0.25f, 8}, new long[] {2, 2}, SafetensorsDtype.F32)
                    .add("half", new float[] {1, -1, 65504}, new long[] {3}, SafetensorsDtype.F16)
                    .add("ids", manager.create(new long[] {3, 1, 4, 1, 5}))
                    .add("mask", manager.create(new boolean[] {true, false, true}))
                    .add("pos", manager.create(new int[] {0, 1}, new Shape(2)))
                    .add("scalar", new float[] {3}, new long[0], SafetensorsDtype.F64)
                    .write(file);
        }
        byte[] bytes = Files.readAllBytes(file);
        Files.delete(file);
        return bytes;
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static byte[] withLength(byte[] file, long length) {
        byte[] out = file.clone();
        ByteBuffer.wrap(out, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
        return out;
    }

    /** Replaces the header text, keeping the length field consistent with it. */
    private static byte[] withHeader(byte[] file, String header) {
        int n = (int) headerLength(file);
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[8 + h.length + file.length - 8 - n];
        System.arraycopy(h, 0, out, 8, h.length);
        System.arraycopy(file, 8 + n, out, 8 + h.length, file.length - 8 - n);
        return withLength(out, h.length);
    }

    private static String headerText(byte[] file) {
        long n = headerLength(file);
        if (n < 0 || n > file.length - 8) {
            return "<length " + Long.toUnsignedString(n) + ">";
        }
        return new String(file, 8, (int) n, StandardCharsets.UTF_8);
    }

    private static byte[] mutate(byte[] valid, int kind, Random random) {
        int n = (int) headerLength(valid);
        String header = new String(valid, 8, n, StandardCharsets.UTF_8);
        switch (kind) {
            case 0 -> { // the length field: near the truth, anywhere in the file, or any 64-bit pattern
                long length = switch (random.nextInt(3)) {
                    case 0 -> n + random.nextInt(33) - 16;
                    case 1 -> random.nextInt(valid.length + 16);
                    default -> random.nextLong();
                };
                return withLength(valid, length);
            }
            case 1 -> { // overwrite 1-4 random header bytes with random values
                byte[] out = valid.clone();
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    out[8 + random.nextInt(n)] = (byte) random.nextInt(256);
                }
                return out;
            }
            case 2 -> { // replace one number in the header (dims, offsets)
                Matcher m = NUMBER.matcher(header);
                int count = (int) m.results().count();
                m.reset();
                int target = random.nextInt(count);
                for (int k = 0; k <= target; k++) {
                    m.find();
                }
                String replacement = random.nextBoolean()
                        ? NUMBERS[random.nextInt(NUMBERS.length)]
                        : Long.toString(Long.parseLong(m.group()) + random.nextInt(17) - 8);
                return withHeader(valid, header.substring(0, m.start()) + replacement + header.substring(m.end()));
            }
            case 3 -> { // truncate
                return Arrays.copyOf(valid, random.nextInt(valid.length));
            }
            case 4 -> { // append bytes after the data
                byte[] out = Arrays.copyOf(valid, valid.length + 1 + random.nextInt(16));
                return out;
            }
            case 5 -> { // delete or insert a structural character, length kept consistent
                int at = random.nextInt(header.length());
                String edited = random.nextBoolean()
                        ? header.substring(0, at) + header.substring(at + 1)
                        : header.substring(0, at)
                                + STRUCTURAL.charAt(random.nextInt(STRUCTURAL.length()))
                                + header.substring(at);
                return withHeader(valid, edited);
            }
            case 6 -> { // swap one dtype for another, valid or not
                String[] present = {"\"BF16\"", "\"F32\"", "\"F16\"", "\"I64\"", "\"BOOL\"", "\"I32\"", "\"F64\""};
                String from = present[random.nextInt(present.length)];
                String to = "\"" + DTYPES[random.nextInt(DTYPES.length)] + "\"";
                return withHeader(valid, header.replaceFirst(Pattern.quote(from), Matcher.quoteReplacement(to)));
            }
            default -> { // corrupt data bytes only: the file stays valid
                byte[] out = valid.clone();
                out[8 + n + random.nextInt(valid.length - 8 - n)] ^= (byte) (1 + random.nextInt(255));
                return out;
            }
        }
    }
}

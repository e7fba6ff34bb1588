package dev.alpharl.trainer.tensor.safetensors;

import static dev.alpharl.trainer.tensor.safetensors.FloatFormats.bf16ToFloat;
import static dev.alpharl.trainer.tensor.safetensors.FloatFormats.floatToBf16;
import static dev.alpharl.trainer.tensor.safetensors.FloatFormats.floatToHalf;
import static dev.alpharl.trainer.tensor.safetensors.FloatFormats.halfToFloat;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FloatFormatsTest {

    private static short bf16(float f) {
        return floatToBf16(f);
    }

    private static float bits(int b) {
        return Float.intBitsToFloat(b);
    }

    @Test
    void bf16RoundsToNearestEvenOnHandPickedBitPatterns() {
        assertThat(bf16(1.0f)).isEqualTo((short) 0x3F80);
        assertThat(bf16(-2.0f)).isEqualTo((short) 0xC000);
        // 1 + 2^-8 is exactly halfway between 0x3F80 and 0x3F81: the tie goes to the even 0x3F80
        assertThat(bf16(bits(0x3F808000))).isEqualTo((short) 0x3F80);
        // halfway between 0x3F81 and 0x3F82: the tie goes to the even 0x3F82
        assertThat(bf16(bits(0x3F818000))).isEqualTo((short) 0x3F82);
        assertThat(bf16(bits(0x3F808001))).isEqualTo((short) 0x3F81); // just above the tie
        assertThat(bf16(bits(0x3F807FFF))).isEqualTo((short) 0x3F80); // just below the tie
        assertThat(bf16(bits(0xBF818000))).isEqualTo((short) 0xBF82); // negative tie, odd → even
        assertThat(bf16(bits(0x3FFFFFFF))).isEqualTo((short) 0x4000); // mantissa carry into the exponent
        assertThat(bf16(-0.0f)).isEqualTo((short) 0x8000);
        assertThat(bf16(0.0f)).isEqualTo((short) 0x0000);
        assertThat(bf16(Float.MIN_VALUE)).isEqualTo((short) 0x0000);
    }

    @Test
    void bf16InfinitiesOverflowAndNaN() {
        assertThat(bf16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7F80);
        assertThat(bf16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFF80);
        assertThat(bf16(Float.MAX_VALUE)).isEqualTo((short) 0x7F80); // rounds past the largest bf16 0x7F7F
        assertThat(bf16(bits(0x7F7F7FFF))).isEqualTo((short) 0x7F7F);
        for (int nan : new int[] {0x7FC00000, 0x7F800001, 0x7FFFFFFF, 0xFFC00000, 0xFF800001, 0x7FBFFFFF}) {
            assertThat(bf16(bits(nan))).as("NaN %08x", nan).isEqualTo((short) 0x7FC0);
        }
        assertThat(bf16ToFloat((short) 0x7FC0)).isNaN();
        assertThat(bf16ToFloat((short) 0xFF80)).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void bf16WideningIsExactAndEveryBf16SurvivesARoundTrip() {
        for (int h = 0; h < 0x10000; h++) {
            float f = bf16ToFloat((short) h);
            assertThat(Float.floatToRawIntBits(f)).isEqualTo(h << 16);
            if (!Float.isNaN(f)) {
                assertThat(floatToBf16(f) & 0xFFFF).isEqualTo(h);
            }
        }
    }

    @Test
    void bf16OfRandomNormalsIsTheNearestBf16WithRelativeErrorAtMostTwoToMinusEight() {
        SplittableRandom random = new SplittableRandom(7);
        double maxRelative = 0;
        for (int i = 0; i < 200_000; i++) {
            float x = (float) gaussian(random) * (float) Math.pow(10, random.nextInt(-6, 7));
            short r = floatToBf16(x);
            double rounded = bf16ToFloat(r);
            // neither bf16 neighbour is closer (ties are allowed to go either way here; the even rule is tested above)
            double below = bf16ToFloat((short) (r - 1));
            double above = bf16ToFloat((short) (r + 1));
            assertThat(Math.abs(x - rounded)).isLessThanOrEqualTo(Math.abs(x - below));
            assertThat(Math.abs(x - rounded)).isLessThanOrEqualTo(Math.abs(x - above));
            maxRelative = Math.max(maxRelative, Math.abs(rounded - x) / Math.abs(x));
        }
        assertThat(maxRelative).isLessThanOrEqualTo(Math.pow(2, -8)).isGreaterThan(Math.pow(2, -10));
    }

    /** Reference value of a binary16 bit pattern computed in double from the IEEE definition. */
    private static double halfReference(int h) {
        int sign = (h >>> 15) == 1 ? -1 : 1;
        int e = (h >>> 10) & 0x1F;
        int m = h & 0x3FF;
        if (e == 0x1F) {
            return m == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (e == 0) {
            return sign * m * Math.pow(2, -24);
        }
        return sign * Math.pow(2, e - 15) * (1 + m / 1024.0);
    }

    @Test
    void halfToFloatMatchesTheIeeeDefinitionForAllPatternsAndRoundTrips() {
        for (int h = 0; h < 0x10000; h++) {
            float f = halfToFloat((short) h);
            double expected = halfReference(h);
            if (Double.isNaN(expected)) {
                assertThat(f).as("pattern %04x", h).isNaN();
                continue;
            }
            assertThat((double) f).as("pattern %04x", h).isEqualTo(expected);
            assertThat(Float.floatToRawIntBits(f) >>> 31).isEqualTo(h >>> 15); // signed zero kept
            assertThat(floatToHalf(f) & 0xFFFF).as("round trip %04x", h).isEqualTo(h);
        }
    }

    @Test
    void floatToHalfEdgeCases() {
        assertThat(floatToHalf(1.0f)).isEqualTo((short) 0x3C00);
        assertThat(floatToHalf(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(floatToHalf(Math.nextDown(65520f))).isEqualTo((short) 0x7BFF);
        assertThat(floatToHalf(65520f)).isEqualTo((short) 0x7C00); // tie between 65504 (odd) and 65536 → Inf
        assertThat(floatToHalf(-1e6f)).isEqualTo((short) 0xFC00);
        assertThat(floatToHalf(0x1p-24f)).isEqualTo((short) 0x0001); // smallest subnormal
        assertThat(floatToHalf(0x1p-25f)).isEqualTo((short) 0x0000); // tie between 0 and 2^-24 → even 0
        assertThat(floatToHalf(0x1.8p-24f)).isEqualTo((short) 0x0002); // tie between 1 and 2 units → even 2
        assertThat(floatToHalf(Math.nextUp(0x1p-25f))).isEqualTo((short) 0x0001);
        assertThat(floatToHalf(Math.nextDown(0x1p-14f))).isEqualTo((short) 0x0400); // rounds up to the smallest normal
        assertThat(floatToHalf(-0.0f)).isEqualTo((short) 0x8000);
        assertThat(floatToHalf(Float.NaN)).isEqualTo((short) 0x7E00);
        assertThat(floatToHalf(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFC00);
        assertThat(floatToHalf(bits(0x3F801000))).isEqualTo((short) 0x3C00); // 1 + 2^-11: tie → even
        assertThat(floatToHalf(bits(0x3F803000))).isEqualTo((short) 0x3C02); // 1 + 3·2^-11: tie → even
    }

    @Test
    void floatToHalfIsTheNearestHalfForRandomFloatsOverTheWholeRange() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            // magnitudes from 2^-26 to 2^17, covering zero-rounding, subnormals, normals and overflow
            float x = (float) ((random.nextBoolean() ? 1 : -1) * Math.pow(2, random.nextDouble(-26, 17)));
            int h = floatToHalf(x) & 0xFFFF;
            double rounded = halfReference(h);
            double error = Math.abs(x - rounded);
            int magnitude = h & 0x7FFF;
            if (magnitude == 0x7C00) { // Inf: only for |x| ≥ 65520
                assertThat(Math.abs(x)).isGreaterThanOrEqualTo(65520f);
                continue;
            }
            double down = magnitude == 0 ? Double.POSITIVE_INFINITY : Math.abs(x - halfReference(h - 1));
            double up = magnitude == 0x7BFF ? Double.POSITIVE_INFINITY : Math.abs(x - halfReference(h + 1));
            assertThat(error).as("x=%s h=%04x", x, h).isLessThanOrEqualTo(down).isLessThanOrEqualTo(up);
        }
    }

    private static double gaussian(SplittableRandom random) {
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}

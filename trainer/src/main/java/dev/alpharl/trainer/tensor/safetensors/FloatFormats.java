package dev.alpharl.trainer.tensor.safetensors;

/** Bit-level conversions between float32 and the 16-bit formats bfloat16 and IEEE binary16 (Java 17 has neither). */
public final class FloatFormats {

    private FloatFormats() {}

    /** bfloat16 → float32: the 16 bits are the top half of a float32, so widening is exact: {@code bits << 16}. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * float32 → bfloat16 with round-to-nearest-even on the raw bits: {@code (b + 0x7FFF + ((b >>> 16) & 1)) >>> 16}.
     * Overflow rounds to ±Inf (as PyTorch does); every NaN becomes the quiet NaN 0x7FC0.
     */
    public static short floatToBf16(float value) {
        int b = Float.floatToRawIntBits(value);
        if ((b & 0x7FFFFFFF) > 0x7F800000) {
            return (short) 0x7FC0;
        }
        return (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16);
    }

    /**
     * IEEE binary16 → float32, exact: value = (−1)^s · 2^(e−15) · (1 + m/1024) for 0 < e < 31,
     * (−1)^s · 2^−24 · m for e = 0, ±Inf / NaN (payload kept) for e = 31.
     */
    public static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f; // subnormal (or zero): exact in float32
            return sign == 0 ? magnitude : -magnitude;
        }
        // rebias the exponent from 15 to 127
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /**
     * float32 → IEEE binary16 with round-to-nearest-even. Magnitudes ≥ 65520 become ±Inf, magnitudes ≤ 2^−25 become
     * ±0, values below 2^−14 become subnormals; every NaN becomes the quiet NaN 0x7E00 (sign kept).
     */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFFFFFF;
        if (abs > 0x7F800000) {
            return (short) (sign | 0x7E00);
        }
        if (abs >= 0x477FF000) { // 65520 = halfway between 65504 (largest half) and 65536: ties go to even = Inf
            return (short) (sign | 0x7C00);
        }
        if (abs >= 0x38800000) { // ≥ 2^-14: a normal half. Round the 13 dropped bits, then rebias 127 → 15.
            int rounded = abs + 0x0FFF + ((abs >>> 13) & 1);
            return (short) (sign | ((rounded - 0x38000000) >>> 13));
        }
        int exponent = abs >>> 23;
        if (exponent < 102) { // < 2^-25: rounds to zero
            return (short) sign;
        }
        // subnormal: value = m · 2^(e-150) = m · 2^(e-126) units of 2^-24; shift right by 126-e (14..24) with RNE
        int mantissa = (abs & 0x7FFFFF) | 0x800000;
        int shift = 126 - exponent;
        int quotient = mantissa >>> shift;
        int remainder = mantissa & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (remainder > half || (remainder == half && (quotient & 1) == 1)) {
            quotient++; // may carry into 0x400, which is exactly the smallest normal half
        }
        return (short) (sign | quotient);
    }
}

package dev.kansoku.inference;

/**
 * IEEE 754 binary16 from float32 and bfloat16, rounded to nearest even as PyTorch's CPU cast does, so that a
 * checkpoint's weights can be converted straight into a half-precision tensor's memory while loading: the
 * PyTorch cast needs a float32 temporary per chunk, and those temporaries, freed between tensors that stay,
 * fragment glibc's heap (measured: a bf16 checkpoint loaded as fp16 kept 1.9 × the weights resident).
 * {@code HalfFloatTest} checks every one of the 65,536 bfloat16 values and a million float32 ones against
 * PyTorch's cast.
 */
final class HalfFloat {
  /** binary16 bits of every bfloat16 value (128 KB): bf16 → fp16 is one lookup per element. */
  private static final short[] FROM_BFLOAT16 = new short[1 << 16];

  static {
    for (int b = 0; b < FROM_BFLOAT16.length; b++) {
      FROM_BFLOAT16[b] = fromFloat(Float.intBitsToFloat(b << 16));
    }
  }

  private HalfFloat() {}

  /** binary16 bits of a bfloat16 value's bits. */
  static short fromBfloat16(short bits) {
    return FROM_BFLOAT16[bits & 0xffff];
  }

  /** binary16 bits of {@code f}, rounded to nearest even; overflow → ±inf, NaN → a quiet NaN keeping the top payload bits. */
  static short fromFloat(float f) {
    int x = Float.floatToRawIntBits(f);
    int sign = (x >>> 16) & 0x8000;
    int abs = x & 0x7fffffff;
    if (abs >= 0x7f800000) {
      return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 | ((abs >>> 13) & 0x3ff) : 0));
    }
    if (abs >= 0x477ff000) {
      // 65,520 and above: halfway past the largest half (65,504, odd mantissa) and beyond round to infinity
      return (short) (sign | 0x7c00);
    }
    int exp = abs >>> 23;
    if (exp >= 113) {
      // a normal half: rebias the exponent (127 → 15), keep 10 of the 23 mantissa bits, round the other 13;
      // a carry out of the mantissa correctly steps the exponent
      int h = ((exp - 112) << 10) | ((abs & 0x7fffff) >>> 13);
      int rest = abs & 0x1fff;
      if (rest > 0x1000 || (rest == 0x1000 && (h & 1) != 0)) {
        h++;
      }
      return (short) (sign | h);
    }
    if (exp < 102) {
      // below 2^-25, half the smallest subnormal: rounds to zero
      return (short) sign;
    }
    // a subnormal half, in units of 2^-24: the 24-bit significand shifted right by 126 - exp (14..24 bits)
    int m = (abs & 0x7fffff) | 0x800000;
    int shift = 126 - exp;
    int h = m >>> shift;
    int rest = m & ((1 << shift) - 1);
    int halfway = 1 << (shift - 1);
    if (rest > halfway || (rest == halfway && (h & 1) != 0)) {
      h++;
    }
    return (short) (sign | h);
  }
}

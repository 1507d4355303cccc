package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The loader's own fp16 conversion gives PyTorch's bits: every bfloat16 value (all 65,536 patterns, widened exactly
 * to fp32 and cast by PyTorch) and a million float32 values spread over the half range, its subnormals, the
 * rounding ties and the overflow edge. NaNs need only stay NaN.
 */
class HalfFloatTest {
  @Test
  void everyBfloat16ValueConvertsAsPyTorchCastsIt() {
    float[] values = new float[1 << 16];
    for (int b = 0; b < values.length; b++) {
      values[b] = Float.intBitsToFloat(b << 16);
    }
    short[] torch = pytorchHalves(values);
    for (int b = 0; b < values.length; b++) {
      short ours = HalfFloat.fromBfloat16((short) b);
      check(values[b], torch[b], ours);
    }
  }

  @Test
  void float32ValuesConvertAsPyTorchCastsThem() {
    SplittableRandom rnd = new SplittableRandom(5);
    float[] values = new float[1 << 20];
    for (int i = 0; i < values.length; i++) {
      values[i] = switch (i % 4) {
        // any bit pattern whose exponent lies around the half range (subnormals to overflow)
        case 0 -> Float.intBitsToFloat((0x32800000 + rnd.nextInt(0x15000000)) ^ (rnd.nextBoolean() ? 0x80000000 : 0));
        // exact ties: a half's bits with the next mantissa bit set and the rest zero
        case 1 -> Float.intBitsToFloat(((rnd.nextInt(96, 143) << 23) | (rnd.nextInt(1 << 10) << 13) | 0x1000)
            ^ (rnd.nextBoolean() ? 0x80000000 : 0));
        case 2 -> (float) rnd.nextGaussian() * 0.02f;
        default -> 65_504f + rnd.nextInt(-64, 64) * 0.25f;
      };
    }
    short[] torch = pytorchHalves(values);
    for (int i = 0; i < values.length; i++) {
      check(values[i], torch[i], HalfFloat.fromFloat(values[i]));
    }
  }

  private static void check(float value, short torch, short ours) {
    if (Float.isNaN(value)) {
      assertTrue((ours & 0x7c00) == 0x7c00 && (ours & 0x3ff) != 0, "NaN stays NaN: " + Integer.toHexString(ours & 0xffff));
      return;
    }
    assertEquals(Integer.toHexString(torch & 0xffff), Integer.toHexString(ours & 0xffff),
        () -> "fp16 bits of " + value + " (0x" + Integer.toHexString(Float.floatToRawIntBits(value)) + ")");
  }

  private static short[] pytorchHalves(float[] values) {
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
      NDArray half = m.create(values).toType(DataType.FLOAT16, false);
      ByteBuffer bytes = half.toByteBuffer().order(ByteOrder.nativeOrder());
      ShortBuffer s = bytes.asShortBuffer();
      short[] out = new short[values.length];
      s.get(out);
      return out;
    }
  }
}

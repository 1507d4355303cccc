package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which CPU weights may stay views of the memory-mapped checkpoint (no copy: loading costs what transformers'
 * {@code from_pretrained} costs, and executors on one machine share the page cache) instead of copies PyTorch owns.
 *
 * <p>A mapped tensor's address is its file offset modulo the page size; safetensors aligns tensors to 8 bytes only,
 * while PyTorch's allocator aligns to 64. Matrix kernels may take another path, with other rounding, for another
 * alignment: with DJL 0.36's libtorch on this project's CPU (AMD EPYC), an fp32 linear layer gives other bits for a
 * one-row product when its weight sits 8 bytes off a 16-byte boundary, while every other row count, every 16-byte
 * aligned address and fp16 keep the bits of the aligned weight. Rather than trust one CPU, the engine measures, once
 * per JVM, dtype and address class (a file's tensors share one or two), with the kernels it runs: a linear product of
 * each row count in {@link #ROWS} on two shapes, the weight at that address against the same weight 64-byte aligned.
 * A tensor is mapped only where every product was bit-identical, so mapped weights give the bits a copy gives, whatever
 * the file's layout (WeightMappingTest: logits of copied and mapped loads at offsets 0–62, fails without the probe).
 */
final class WeightMapping {
  /**
   * Row counts of the probe's products: one row (a lone decoding step), small lanes, and past a 32-row block. Each new
   * product shape costs the kernels' first-call set-up, so the probe stays small (≈ 20–60 ms, most of it that set-up).
   */
  static final int[] ROWS = {1, 2, 3, 4, 16, 33};
  /** (input, output) features of the probe's weights: small and odd, and a long reduction (2,048 inputs). */
  private static final int[][] SHAPES = {{64, 176}, {2048, 256}};
  private static final int ALIGNMENT = 64;
  /** Measured answers by dtype and byte offset mod 64 (a file's tensors share one or two offsets: only those are probed). */
  private static final Map<String, Boolean> SAME_BITS = new ConcurrentHashMap<>();

  private WeightMapping() {}

  /** Whether a weight of {@code dtype} stored at file offset {@code position} computes as an aligned copy would. */
  static boolean sameBitsAt(long position, DataType dtype, NDManager manager) {
    int offset = (int) (position % ALIGNMENT);
    return offset == 0 || SAME_BITS.computeIfAbsent(dtype + "@" + offset, k -> probe(dtype, offset, manager));
  }

  /** Every product of {@link #ROWS} rows on {@link #SHAPES}: the weight {@code offset} bytes off against it aligned. */
  private static boolean probe(DataType dtype, int offset, NDManager parent) {
    java.util.Random random = new java.util.Random(20261207);
    try (NDManager m = parent.newSubManager()) {
      for (int[] shape : SHAPES) {
        int in = shape[0];
        int out = shape[1];
        float[] w = new float[in * out];
        for (int i = 0; i < w.length; i++) {
          w[i] = (random.nextFloat() - 0.5f) * 0.1f;
        }
        NDArray aligned = weightAt(m, w, out, in, dtype, 0);
        NDArray shifted = weightAt(m, w, out, in, dtype, offset);
        for (int rows : ROWS) {
          float[] x = new float[rows * in];
          for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() * 2 - 1;
          }
          NDArray input = m.create(x, new Shape(rows, in)).toType(dtype, false);
          if (!Arrays.equals(ai.djl.nn.core.Linear.linear(input, aligned).singletonOrThrow().toByteArray(),
              ai.djl.nn.core.Linear.linear(input, shifted).singletonOrThrow().toByteArray())) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** {@code w} as an [out, in] tensor of {@code dtype} whose data starts {@code offset} bytes past a 64-byte boundary. */
  private static NDArray weightAt(NDManager m, float[] w, int out, int in, DataType dtype, int offset) {
    byte[] bits;
    try (NDArray t = m.create(w, new Shape(out, in)).toType(dtype, false)) {
      bits = t.toByteArray();
    }
    ByteBuffer raw = ByteBuffer.allocateDirect(bits.length + 2 * ALIGNMENT);
    ByteBuffer at = raw.alignedSlice(ALIGNMENT).position(offset).slice().limit(bits.length);
    at.order(ByteOrder.nativeOrder()).put(bits).flip();
    // a CPU tensor made from a direct buffer is a view of it (torch.from_blob), as a mapped weight is of the file
    return m.create(at.order(ByteOrder.nativeOrder()), new Shape(out, in), dtype);
  }
}

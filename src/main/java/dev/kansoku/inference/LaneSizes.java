package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which decoding-lane row counts give a sequence the same bits, on this model and device. A lane of 16 rows is the
 * portable shape; a lone sequence decoding in it pays for 15 empty rows (the 50M bench model: 33 tokens/s in a
 * 16-row lane, 43 in a 4-row one). Whether 8, 4, 2 or 1 rows give the same bits as 16 is a property of the device's
 * matmul kernels (on the development machine's AMD EPYC, in float32, 4 and 8 rows do, 1 and 2 do not; a GPU's library
 * may pick other algorithms by row count), so it is measured rather than assumed: once per engine, four short
 * sequences are prefilled and decoded one step in a full lane, then in lanes of 8, 4, 2 and 1 rows (as many steps as
 * the sequences need), through the model's own layers and LM head; sizes are accepted from the largest down while
 * every logit equals the full lane's to the bit.
 *
 * <p>Only in float32. A half-precision product rounds each output to 8 (bf16) or 11 (fp16) bits of mantissa, which hides
 * most summation-order differences: they surface as rare flips (bf16 on this CPU: 1 or 2 of 8,192–16,384 outputs of a
 * 64 → 32 or 64 → 64 projection at 1 or 2 rows, none at 4 or more), too rare for a probe of a few steps to see — a
 * 16-sequence probe passed 1-row lanes whose generations then differed (the GPU kit's check f on the CPU: 1 of 16).
 * So half precision decodes in full lanes, whose cost on a GPU (where half precision runs) is that of one row.
 */
final class LaneSizes {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LaneSizes.class);
  /** Candidate lane sizes below the full lane, largest first. */
  private static final int[] CANDIDATES = {8, 4, 2, 1};
  /** Probe sequences: in float32 any other summation order shows in the logits' bits, so a few suffice. */
  private static final int PROBE_SEQUENCES = 4;
  private static final int PROBE_WIDTH = 16;

  private LaneSizes() {}

  /** The smallest size that holds {@code rows} (sizes ascending, the last one the full lane). */
  static int rowsFor(int[] sizes, int rows) {
    for (int size : sizes) {
      if (size >= rows) {
        return size;
      }
    }
    return sizes[sizes.length - 1];
  }

  /** The lane sizes, ascending, ending with {@code full}, that decode with the same bits as {@code full} rows. */
  static int[] probe(EngineCore core, int full) {
    DecoderStack model = core.model;
    int vocab = model.config().vocabSize();
    if (core.computeType != DataType.FLOAT32) {
      LOG.info("decoding lanes of {} rows: {} products are rounded too coarsely for the lane probe to see rare flips", full,
          core.computeType);
      return new int[] {full};
    }
    int sequences = Math.min(PROBE_SEQUENCES, full);
    NDManager m = core.manager;
    long[] ids = new long[sequences * PROBE_WIDTH];
    long[] positions = new long[ids.length];
    long[] mask = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7919L + 17) % vocab;
      positions[i] = i % PROBE_WIDTH;
      mask[i] = 1;
    }
    List<Integer> sizes = new ArrayList<>();
    try (NDScope scope = new NDScope(); KvCache cache = model.newCache()) {
      scope.suppressNotUsedWarning();
      Shape shape = new Shape(sequences, PROBE_WIDTH);
      model.hiddenStates(m.create(ids, shape), m.create(mask, shape), m.create(positions, shape), cache);
      float[] reference = steps(core, cache, sequences, full);
      for (int size : CANDIDATES) {
        if (size >= full) {
          continue;
        }
        if (!Arrays.equals(reference, steps(core, cache, sequences, size))) {
          break; // a smaller lane is not tried once a larger one differs: it would only serve fewer sequences
        }
        sizes.add(0, size);
      }
    }
    sizes.add(full);
    int[] out = sizes.stream().mapToInt(Integer::intValue).toArray();
    LOG.info("decoding lanes of {} rows give the same bits on this device (probed against {} rows with {} sequences)",
        Arrays.toString(out), full, sequences);
    return out;
  }

  /** The logits of one decoding step of each of the first {@code sequences} probe rows, in lanes of {@code rows} rows. */
  private static float[] steps(EngineCore core, KvCache prefilled, int sequences, int rows) {
    int vocab = core.model.config().vocabSize();
    float[] out = new float[sequences * vocab];
    for (int from = 0; from < sequences; from += rows) {
      int used = Math.min(rows, sequences - from);
      float[] part = step(core, prefilled, from, used, rows);
      System.arraycopy(part, 0, out, from * vocab, used * vocab);
    }
    return out;
  }

  /**
   * The logits of one decoding step of probe rows {@code [from, from + used)} in a lane of {@code rows} rows, on a copy
   * of the cache.
   */
  private static float[] step(EngineCore core, KvCache prefilled, int from, int used, int rows) {
    long[] selected = new long[used];
    for (int r = 0; r < used; r++) {
      selected[r] = from + r;
    }
    try (KvCache cache = prefilled.selected(selected)) {
      long[] ids = new long[rows];
      long[] positions = new long[rows];
      for (int r = 0; r < used; r++) {
        ids[r] = 5 + 11L * (from + r);
        positions[r] = PROBE_WIDTH;
      }
      long[] mask = new long[used * (PROBE_WIDTH + 1)];
      Arrays.fill(mask, 1);
      NDManager m = core.manager;
      NDArray hidden = core.model.decodeStep(m.create(ids, new Shape(rows, 1)), m.create(positions, new Shape(rows, 1)),
          List.of(new DecoderStack.StepGroup(0, used, cache, m.create(mask, new Shape(used, PROBE_WIDTH + 1)))));
      return core.logitRows(hidden.reshape(rows, -1), used, rows);
    }
  }
}

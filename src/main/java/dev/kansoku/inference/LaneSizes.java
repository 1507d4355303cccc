package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which decoding-lane row counts give a sequence the same bits, on this model and device. A lane of 16 rows is the
 * portable shape; a lone sequence decoding in it pays for 15 empty rows (the 50M bench model: 33 tokens/s in a
 * 16-row lane, 43 in a 4-row one). Whether 4 or 8 rows give the same bits as 16 is a property of the device's matmul
 * kernels (on the development machine's AMD EPYC 4 and 8 rows do, 1 and 2 do not; a GPU's library
 * may pick other algorithms by row count), so it is measured rather than assumed: once per engine, four short
 * sequences are prefilled and decoded one step in lanes of 16, 8, 4, 2 and 1 rows, through the model's own layers and LM
 * head, and only the sizes whose logits equal the 16-row lane's to the bit are used.
 */
final class LaneSizes {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LaneSizes.class);
  private static final int[] CANDIDATES = {1, 2, 4, 8};
  private static final int PROBE_ROWS = 4;
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
    NDManager m = core.manager;
    long[] ids = new long[PROBE_ROWS * PROBE_WIDTH];
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
      Shape shape = new Shape(PROBE_ROWS, PROBE_WIDTH);
      model.hiddenStates(m.create(ids, shape), m.create(mask, shape), m.create(positions, shape), cache);
      float[] reference = step(core, cache, full);
      for (int size : CANDIDATES) {
        int compared = Math.min(size, PROBE_ROWS) * vocab;
        if (size < full && Arrays.equals(Arrays.copyOf(reference, compared), Arrays.copyOf(step(core, cache, size), compared))) {
          sizes.add(size);
        }
      }
    }
    sizes.add(full);
    int[] out = sizes.stream().mapToInt(Integer::intValue).toArray();
    LOG.info("decoding lanes of {} rows give the same bits on this device (probed against {} rows)", Arrays.toString(out), full);
    return out;
  }

  /**
   * The logits of one decoding step of the probe's first rows (as many as the lane holds, at most {@link #PROBE_ROWS})
   * in a lane of {@code rows} rows, on a copy of the cache.
   */
  private static float[] step(EngineCore core, KvCache prefilled, int rows) {
    int used = Math.min(rows, PROBE_ROWS);
    long[] first = new long[used];
    for (int r = 0; r < used; r++) {
      first[r] = r;
    }
    try (KvCache cache = prefilled.selected(first)) {
      long[] ids = new long[rows];
      long[] positions = new long[rows];
      for (int r = 0; r < used; r++) {
        ids[r] = 5 + 11L * r;
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

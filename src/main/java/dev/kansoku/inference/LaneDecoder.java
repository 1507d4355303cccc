package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Canonical generation with a KV cache in shared decoding lanes (the {@link Generator}'s path for models that run
 * their own layers, {@link DecoderStack#decodesInLanes}): cohorts prefilled at their prompt's bucket, every live
 * sequence of every cohort decoding in the same steps, waiting sequences admitted as others finish.
 */
final class LaneDecoder {
  private final EngineCore core;
  private final DecoderStack model;
  private final long padId;
  private final LoglikelihoodScorer rows;

  LaneDecoder(EngineCore core, LoglikelihoodScorer rows) {
    this.core = core;
    this.model = core.model;
    this.padId = core.padId;
    this.rows = rows;
  }

  /**
   * Rows of a decoding lane: every decoding step runs exactly this many rows through the layers and the LM head, so
   * the kernels of a sequence's steps never depend on how many other sequences are decoding (empty slots are padding).
   */
  static final int LANE_ROWS = 16;

  /** Smaller lanes a step may take when few sequences are decoding, if {@link LaneSizes} finds them bit-equal. */
  private volatile int[] laneSizes;

  /** Sequences prefilled in one pass: their keys and values in one cache, one row each; they advance together. */
  private static final class Cohort {
    final List<Generator.Sequence> members;
    final List<long[]> masks;
    final KvCache cache;
    final int width;

    Cohort(List<Generator.Sequence> members, List<long[]> masks, KvCache cache, int width) {
      this.members = members;
      this.masks = masks;
      this.cache = cache;
      this.width = width;
    }

    /** Drops the finished members from the cache; returns whether any member is left. */
    boolean keepLive() {
      List<Long> keep = new ArrayList<>();
      for (int r = 0; r < members.size(); r++) {
        if (Generator.live(members.get(r))) {
          keep.add((long) r);
        }
      }
      if (keep.size() < members.size()) {
        List<Generator.Sequence> m = new ArrayList<>();
        List<long[]> k = new ArrayList<>();
        for (long r : keep) {
          m.add(members.get((int) r));
          k.add(masks.get((int) r));
        }
        members.clear();
        members.addAll(m);
        masks.clear();
        masks.addAll(k);
        if (!keep.isEmpty()) {
          cache.select(keep.stream().mapToLong(Long::longValue).toArray());
        }
      }
      if (members.isEmpty()) {
        cache.close();
        return false;
      }
      return true;
    }
  }

  /**
   * Canonical generation with a KV cache, continuously batched: requests are prefilled in passes of their prompt's
   * {@link BatchShapes#bucket} (the canonical rows of that width, as for scoring; the coarser power-of-two bucket that
   * let groups share decoding steps is no longer needed), then every live sequence of every cohort decodes in
   * the same steps, in lanes of {@link #LANE_ROWS} rows: norms, projections, feed-forward layers and the LM head take
   * the lane's rows together (one read of the weights per step, however many prompts and budgets are decoding), and
   * attention runs per cohort over its own cache. A finished sequence leaves at once and a waiting one is prefilled
   * into the free room, so the step count is the longest generation's, not the sum of the groups'. A sequence's bits
   * depend on its own request alone: its prefill pass is canonical, and every decoding step has the lane's shape.
   */
  void decode(List<Generator.Sequence> sequences, BatchShapes shapes) {
    java.util.LinkedList<Generator.Sequence> pending = new java.util.LinkedList<>(sequences);
    List<Cohort> cohorts = new ArrayList<>();
    int capacity = (Math.max(1, Math.min(shapes.maxRows(), 1 << 16)) + LANE_ROWS - 1) / LANE_ROWS * LANE_ROWS;
    // keys held by the live caches, at most twice the pass budget (the prefill pass itself is within the budget)
    long keyCap = shapes.tokenBudget() > 0 ? 2L * shapes.tokenBudget() : Long.MAX_VALUE;
    try {
      while (true) {
        admit(pending, cohorts, shapes, capacity, keyCap);
        if (cohorts.isEmpty()) {
          return;
        }
        step(cohorts);
        cohorts.removeIf(c -> !c.keepLive());
      }
    } finally {
      cohorts.forEach(c -> c.cache.close());
    }
  }

  /** Prefills waiting sequences into the room the live ones leave, one canonical pass per prompt bucket. */
  private void admit(java.util.LinkedList<Generator.Sequence> pending, List<Cohort> cohorts, BatchShapes shapes, int capacity, long keyCap) {
    while (!pending.isEmpty()) {
      int liveRows = 0;
      long liveKeys = 0;
      for (Cohort c : cohorts) {
        liveRows += c.members.size();
        for (Generator.Sequence q : c.members) {
          liveKeys += c.width + q.request.maxNewTokens();
        }
      }
      int width = BatchShapes.bucket(pending.getFirst().prompt.length);
      int perPass = rows.rowsFor(shapes, width, width);
      int limit = Math.min(Math.min(perPass, LANE_ROWS), capacity - liveRows);
      List<Generator.Sequence> take = new ArrayList<>();
      for (var it = pending.iterator(); it.hasNext() && take.size() < limit; ) {
        Generator.Sequence q = it.next();
        if (BatchShapes.bucket(q.prompt.length) != width) {
          continue;
        }
        long keys = width + q.request.maxNewTokens();
        if (liveKeys + keys > keyCap && !(cohorts.isEmpty() && take.isEmpty())) {
          break; // over the memory cap (a lone sequence always runs, so that every request is answered)
        }
        liveKeys += keys;
        take.add(q);
        it.remove();
      }
      if (take.isEmpty()) {
        return;
      }
      Cohort c = prefill(take, width, perPass);
      if (c != null) {
        join(cohorts, c);
      }
    }
  }

  /**
   * Adds a freshly prefilled cohort, merged into one prefilled at the same width in the same round (same key length,
   * room in a lane): each decoding step then runs one attention for both instead of one per prefill pass (at long
   * prompts a prefill pass holds a single row, the attention-score cap). A row's attention is a batched product per
   * row and head, so the merge keeps its bits (DecodingLaneInvarianceTest).
   */
  private static void join(List<Cohort> cohorts, Cohort c) {
    for (Cohort other : cohorts) {
      if (other.width == c.width && other.masks.get(0).length == c.masks.get(0).length
          && other.members.size() + c.members.size() <= LANE_ROWS) {
        other.cache.append(c.cache);
        other.members.addAll(c.members);
        other.masks.addAll(c.masks);
        return;
      }
    }
    cohorts.add(c);
  }

  /**
   * The canonical prefill pass of {@code take} at {@code width} (no more empty rows than the block rule needs, see
   * {@link LoglikelihoodScorer#rowsUsed}): the first token of each, and a cohort of the live ones.
   */
  private Cohort prefill(List<Generator.Sequence> take, int width, int perPass) {
    int vocab = model.config().vocabSize();
    int rowCount = LoglikelihoodScorer.rowsUsed(take.size(), width, perPass);
    long[][] seqs = new long[rowCount][];
    for (int r = 0; r < rowCount; r++) {
      seqs[r] = r < take.size() ? take.get(r).tokens() : new long[0];
    }
    PaddedBatch padded = PaddedBatch.leftPadded(seqs, width, padId);
    KvCache cache = model.newCache();
    float[] logits;
    try (NDScope scope = new NDScope()) {
      NDArray last = core.forward(padded.ids(), padded.mask(), padded.positions(), rowCount, width, width, cache).get(":, -1, :");
      logits = core.logitRows(last, take.size());
    } catch (RuntimeException e) {
      cache.close();
      throw e;
    }
    List<long[]> masks = new ArrayList<>();
    for (int r = 0; r < take.size(); r++) {
      take.get(r).step(logits, r * vocab, vocab);
      masks.add(Arrays.copyOfRange(padded.mask(), r * width, (r + 1) * width));
    }
    // the pass's empty rows leave the cache with the finished sequences
    long[] rowsOfTake = new long[take.size()];
    for (int r = 0; r < rowsOfTake.length; r++) {
      rowsOfTake[r] = r;
    }
    if (take.size() < rowCount) {
      cache.select(rowsOfTake);
    }
    Cohort c = new Cohort(new ArrayList<>(take), masks, cache, width);
    return c.keepLive() ? c : null;
  }

  /** The lane sizes this engine's device gives the same bits for, probed once (at the first generation). */
  private int[] laneSizes() {
    int[] sizes = laneSizes;
    if (sizes == null) {
      synchronized (this) {
        if (laneSizes == null) {
          laneSizes = LaneSizes.probe(core, LANE_ROWS);
        }
        sizes = laneSizes;
      }
    }
    return sizes;
  }

  /**
   * One decoding step of every live sequence: the cohorts packed into lanes of at most {@link #LANE_ROWS} rows, each
   * lane one pass of the smallest probed lane size that holds it.
   */
  private void step(List<Cohort> cohorts) {
    int vocab = model.config().vocabSize();
    List<List<Cohort>> lanes = new ArrayList<>();
    List<Integer> used = new ArrayList<>();
    for (Cohort c : cohorts) {
      int lane = 0;
      while (lane < lanes.size() && used.get(lane) + c.members.size() > LANE_ROWS) {
        lane++;
      }
      if (lane == lanes.size()) {
        lanes.add(new ArrayList<>());
        used.add(0);
      }
      lanes.get(lane).add(c);
      used.set(lane, used.get(lane) + c.members.size());
    }
    int[] sizes = laneSizes();
    for (int li = 0; li < lanes.size(); li++) {
      List<Cohort> lane = lanes.get(li);
      int laneRows = LaneSizes.rowsFor(sizes, used.get(li));
      long[] ids = new long[laneRows];
      long[] positions = new long[laneRows];
      Arrays.fill(ids, padId);
      List<EngineCore.GroupMask> groups = new ArrayList<>();
      List<Generator.Sequence> order = new ArrayList<>();
      int row = 0;
      for (Cohort c : lane) {
        int from = row;
        int keys = c.masks.get(0).length + 1;
        long[] mask = new long[c.members.size() * keys];
        for (int i = 0; i < c.members.size(); i++) {
          Generator.Sequence q = c.members.get(i);
          ids[row] = q.generated.get(q.generated.size() - 1);
          positions[row] = q.prompt.length + q.generated.size() - 1;
          long[] m = Arrays.copyOf(c.masks.get(i), keys);
          m[keys - 1] = 1;
          c.masks.set(i, m);
          System.arraycopy(m, 0, mask, i * keys, keys);
          order.add(q);
          row++;
        }
        groups.add(new EngineCore.GroupMask(from, row, c.cache, mask));
      }
      float[] logits;
      try (NDScope scope = new NDScope()) {
        NDArray hidden = core.decodeStep(ids, positions, laneRows, groups);
        logits = core.logitRows(hidden.reshape(laneRows, -1), row, laneRows);
      }
      for (int r = 0; r < order.size(); r++) {
        order.get(r).step(logits, r * vocab, vocab);
      }
    }
  }
}

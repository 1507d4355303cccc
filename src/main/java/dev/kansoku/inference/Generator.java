package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Generation until stop strings, end of sequence or the token budget: prompts cut from the left as the harness does,
 * prefill once then one token per step through the KV cache (or, for checks, the whole sequence every step), tokens
 * chosen by {@link TokenSampler} from per-request seeded streams. Under canonical shapes a finished sequence keeps its
 * row until its pass ends, so each step's shapes depend on the group alone.
 */
final class Generator {
  private final EngineCore core;
  private final DecoderStack model;
  private final TextTokenizer tokenizer;
  private final int maxLength;
  private final long padId;
  private final boolean useKvCache;
  private final LoglikelihoodScorer rows;

  Generator(EngineCore core, boolean kvCache, LoglikelihoodScorer rows) {
    this.core = core;
    this.model = core.model;
    this.tokenizer = core.tokenizer;
    this.maxLength = core.maxLength;
    this.padId = core.padId;
    this.useKvCache = kvCache;
    this.rows = rows;
  }

  /** The decoding state of one request. */
  private final class Sequence {
    final GenerationRequest request;
    final long[] prompt;
    final List<Long> generated = new ArrayList<>();
    /** Per accepted token, when the request asks for log-probabilities: {chosen's, top ids, top log-probabilities}. */
    final List<Float> chosen = new ArrayList<>();
    final List<long[]> topIds = new ArrayList<>();
    final List<float[]> topValues = new ArrayList<>();
    final java.util.SplittableRandom rnd;
    final boolean truncated;
    String finish;
    String text;

    Sequence(GenerationRequest request) {
      this.request = request;
      long[] ids = core.inVocabulary(request.promptIds() != null ? request.promptIds()
          : tokenizer.encode(request.prompt(), request.addSpecialTokens()));
      // keep room for the new tokens: the prompt is cut from the left, as the harness does
      int keep = Math.max(1, maxLength - request.maxNewTokens());
      long[] cut = ids.length > keep ? Arrays.copyOfRange(ids, ids.length - keep, ids.length) : ids;
      this.truncated = cut.length < ids.length;
      this.prompt = cut.length == 0 ? new long[] {padId} : cut;
      this.rnd = new java.util.SplittableRandom(request.seed());
      if (request.maxNewTokens() <= 0) {
        finish = "length";
        text = "";
      }
    }

    long[] tokens() {
      return TokenIds.concat(prompt, generated.stream().mapToLong(Long::longValue).toArray());
    }

    /** Chooses the next token from the logits of row {@code offset / vocab} and accepts it. */
    boolean step(float[] logits, int offset, int vocab) {
      long token = TokenSampler.next(logits, offset, vocab, request, rnd);
      if (request.topLogprobs() >= 0 && !model.config().eosTokenIds().contains((int) token)) {
        TokenLogprobs.Entry e = TokenLogprobs.of(logits, offset, vocab, token, request.topLogprobs());
        chosen.add(e.chosen());
        topIds.add(e.topIds());
        topValues.add(e.topLogprobs());
      }
      return accept(token);
    }

    /** Accepts the chosen token; returns whether the sequence is finished. */
    boolean accept(long token) {
      if (model.config().eosTokenIds().contains((int) token)) {
        finish = "eos";
        text = decode(generated);
        return true;
      }
      generated.add(token);
      String decoded = decode(generated);
      int cut = firstStop(decoded, request.stopSequences());
      if (cut >= 0) {
        finish = "stop";
        text = decoded.substring(0, cut);
      } else if (generated.size() >= request.maxNewTokens()) {
        finish = "length";
        text = decoded;
      }
      return finish != null;
    }

    GenerationResult result() {
      GenerationResult.TokenLogprobs lp = null;
      if (request.topLogprobs() >= 0) {
        float[] c = new float[chosen.size()];
        for (int i = 0; i < c.length; i++) {
          c[i] = chosen.get(i);
        }
        lp = new GenerationResult.TokenLogprobs(c, topIds.toArray(long[][]::new), topValues.toArray(float[][]::new));
      }
      return new GenerationResult(text, prompt, generated.stream().mapToLong(Long::longValue).toArray(), finish, truncated, lp);
    }
  }

  /**
   * Generates for {@code batch} in passes shaped by {@code shapes}: under canonical shapes requests are grouped
   * by prompt bucket and new-token budget, every pass of a group has the same rows, and a finished sequence keeps
   * its row (fed padding) until the pass ends, so that each step's shapes depend on the group alone.
   */
  List<GenerationResult> generate(List<GenerationRequest> batch, BatchShapes shapes) {
    List<Sequence> all = new ArrayList<>();
    java.util.Map<List<Integer>, List<Sequence>> groups = new java.util.LinkedHashMap<>();
    for (GenerationRequest r : batch) {
      Sequence q = new Sequence(r);
      all.add(q);
      if (q.finish == null) {
        List<Integer> key = shapes.canonical() ? List.of(BatchShapes.promptBucket(q.prompt.length), r.maxNewTokens()) : List.of();
        groups.computeIfAbsent(key, k -> new ArrayList<>()).add(q);
      }
    }
    if (shapes.canonical() && useKvCache && model.decodesInLanes()) {
      decodeInLanes(all.stream().filter(Generator::live).toList(), shapes);
      return all.stream().map(Sequence::result).toList();
    }
    for (var group : groups.entrySet()) {
      List<Sequence> members = group.getValue();
      int perPass = shapes.canonical() ? rows.rowsFor(shapes, group.getKey().get(0), group.getKey().get(0) + group.getKey().get(1)) : members.size();
      for (int from = 0; from < members.size(); from += perPass) {
        List<Sequence> pass = members.subList(from, Math.min(members.size(), from + perPass));
        List<Sequence> slots = new ArrayList<>(pass);
        while (shapes.canonical() && slots.size() < perPass) {
          slots.add(null); // an empty row: padding only, never read
        }
        int width = shapes.canonical() ? group.getKey().get(0) : pass.stream().mapToInt(q -> q.prompt.length).max().orElse(1);
        if (useKvCache) {
          decodeWithCache(slots, width, !shapes.canonical());
        } else {
          decodeWithoutCache(slots, width, !shapes.canonical());
        }
      }
    }
    return all.stream().map(Sequence::result).toList();
  }

  private static boolean live(Sequence q) {
    return q != null && q.finish == null;
  }

  /**
   * Prefill once at {@code width}, then one token per step. With {@code compact}, finished sequences leave the
   * batch and the cache; without, every row stays, so each step has the same rows.
   */
  private void decodeWithCache(List<Sequence> slots, int width, boolean compact) {
    int vocab = model.config().vocabSize();
    try (KvCache cache = model.newCache()) {
      long[][] seqs = slots.stream().map(q -> q == null ? new long[0] : q.tokens()).toArray(long[][]::new);
      PaddedBatch prefill = PaddedBatch.leftPadded(seqs, width, padId);
      List<long[]> masks = new ArrayList<>();
      for (int r = 0; r < seqs.length; r++) {
        masks.add(Arrays.copyOfRange(prefill.mask(), r * width, (r + 1) * width));
      }
      float[] logits = lastLogits(prefill.ids(), prefill.mask(), prefill.positions(), seqs.length, width, width, cache);
      while (true) {
        for (int r = 0; r < slots.size(); r++) {
          Sequence q = slots.get(r);
          if (live(q)) {
            q.step(logits, r * vocab, vocab);
          }
        }
        if (slots.stream().noneMatch(Generator::live)) {
          return;
        }
        if (compact && slots.stream().anyMatch(q -> !live(q))) {
          List<Sequence> keptSlots = new ArrayList<>();
          List<long[]> keptMasks = new ArrayList<>();
          List<Long> keepRows = new ArrayList<>();
          for (int r = 0; r < slots.size(); r++) {
            if (live(slots.get(r))) {
              keptSlots.add(slots.get(r));
              keptMasks.add(masks.get(r));
              keepRows.add((long) r);
            }
          }
          cache.select(keepRows.stream().mapToLong(Long::longValue).toArray());
          slots = keptSlots;
          masks = keptMasks;
        }
        int rows = slots.size();
        int total = masks.get(0).length + 1;
        long[] ids = new long[rows];
        long[] mask = new long[rows * total];
        long[] positions = new long[rows];
        for (int r = 0; r < rows; r++) {
          Sequence q = slots.get(r);
          long[] m = Arrays.copyOf(masks.get(r), total);
          if (live(q)) {
            ids[r] = q.generated.get(q.generated.size() - 1);
            positions[r] = q.prompt.length + q.generated.size() - 1;
            m[total - 1] = 1;
          } else {
            ids[r] = padId; // a finished or empty row: masked, its output unread
          }
          masks.set(r, m);
          System.arraycopy(m, 0, mask, r * total, total);
        }
        logits = lastLogits(ids, mask, positions, rows, 1, total, cache);
      }
    }
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
    final List<Sequence> members;
    final List<long[]> masks;
    final KvCache cache;
    final int width;

    Cohort(List<Sequence> members, List<long[]> masks, KvCache cache, int width) {
      this.members = members;
      this.masks = masks;
      this.cache = cache;
      this.width = width;
    }

    /** Drops the finished members from the cache; returns whether any member is left. */
    boolean keepLive() {
      List<Long> keep = new ArrayList<>();
      for (int r = 0; r < members.size(); r++) {
        if (live(members.get(r))) {
          keep.add((long) r);
        }
      }
      if (keep.size() < members.size()) {
        List<Sequence> m = new ArrayList<>();
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
  private void decodeInLanes(List<Sequence> sequences, BatchShapes shapes) {
    java.util.LinkedList<Sequence> pending = new java.util.LinkedList<>(sequences);
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
  private void admit(java.util.LinkedList<Sequence> pending, List<Cohort> cohorts, BatchShapes shapes, int capacity, long keyCap) {
    while (!pending.isEmpty()) {
      int liveRows = 0;
      long liveKeys = 0;
      for (Cohort c : cohorts) {
        liveRows += c.members.size();
        for (Sequence q : c.members) {
          liveKeys += c.width + q.request.maxNewTokens();
        }
      }
      int width = BatchShapes.bucket(pending.getFirst().prompt.length);
      int perPass = rows.rowsFor(shapes, width, width);
      int limit = Math.min(Math.min(perPass, LANE_ROWS), capacity - liveRows);
      List<Sequence> take = new ArrayList<>();
      for (var it = pending.iterator(); it.hasNext() && take.size() < limit; ) {
        Sequence q = it.next();
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
   * room in a lane): each decoding step then runs attention once for both, not once per prefill pass — at long
   * prompts a prefill pass holds a single row (the attention-score cap), and per-cohort attention was most of a step.
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
  private Cohort prefill(List<Sequence> take, int width, int perPass) {
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
      List<Sequence> order = new ArrayList<>();
      int row = 0;
      for (Cohort c : lane) {
        int from = row;
        int keys = c.masks.get(0).length + 1;
        long[] mask = new long[c.members.size() * keys];
        for (int i = 0; i < c.members.size(); i++) {
          Sequence q = c.members.get(i);
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

  /** Every step recomputes the whole (left-padded) sequence; rows as in {@link #decodeWithCache}. */
  private void decodeWithoutCache(List<Sequence> slots, int width, boolean compact) {
    int vocab = model.config().vocabSize();
    for (int step = 0; slots.stream().anyMatch(Generator::live); step++) {
      if (compact) {
        slots = slots.stream().filter(Generator::live).toList();
      }
      long[][] seqs = slots.stream().map(q -> q == null ? new long[0] : q.tokens()).toArray(long[][]::new);
      int w = compact ? Arrays.stream(seqs).mapToInt(x -> x.length).max().orElse(1) : width + step;
      PaddedBatch padded = PaddedBatch.leftPadded(seqs, w, padId);
      float[] logits = lastLogits(padded.ids(), padded.mask(), padded.positions(), seqs.length, w, w, null);
      for (int r = 0; r < slots.size(); r++) {
        Sequence q = slots.get(r);
        if (live(q)) {
          q.step(logits, r * vocab, vocab);
        }
      }
    }
  }

  /** Logits of the last position of every row, (rows × vocab) row-major, from one forward pass. */
  private float[] lastLogits(long[] ids, long[] mask, long[] positions, int rows, int width, int keys, KvCache cache) {
    try (NDScope scope = new NDScope()) {
      NDArray last = core.forward(ids, mask, positions, rows, width, keys, cache).get(":, -1, :");
      return model.logits(last).toFloatArray();
    }
  }

  private String decode(List<Long> ids) {
    return tokenizer.decode(ids.stream().mapToLong(Long::longValue).toArray());
  }

  private static int firstStop(String text, List<String> stops) {
    int best = -1;
    for (String s : stops) {
      int at = s.isEmpty() ? -1 : text.indexOf(s);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
      }
    }
    return best;
  }

}

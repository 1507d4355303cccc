package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Generation until stop strings, end of sequence or the token budget: prompts cut from the left as the harness does,
 * prefill once then one token per step through the KV cache (or, for checks, the whole sequence every step), tokens
 * chosen by {@link TokenSampler} from per-request seeded streams. Under canonical shapes a model that runs its own
 * layers decodes in shared lanes ({@link LaneDecoder}); an exported graph decodes group by group (prompt bucket and
 * budget), a finished sequence keeping its row until its pass ends, so each step's shapes depend on the group alone.
 */
final class Generator {
  private final EngineCore core;
  private final DecoderStack model;
  private final TextTokenizer tokenizer;
  private final int maxLength;
  private final long padId;
  private final boolean useKvCache;
  private final LoglikelihoodScorer rows;
  private final LaneDecoder lanes;

  Generator(EngineCore core, boolean kvCache, LoglikelihoodScorer rows) {
    this.core = core;
    this.model = core.model;
    this.tokenizer = core.tokenizer;
    this.maxLength = core.maxLength;
    this.padId = core.padId;
    this.useKvCache = kvCache;
    this.rows = rows;
    this.lanes = new LaneDecoder(core, rows);
  }

  /** The decoding state of one request (also {@link LaneDecoder}'s). */
  final class Sequence {
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
      lanes.decode(all.stream().filter(Generator::live).toList(), shapes);
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

  static boolean live(Sequence q) {
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

package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Log-likelihood scoring with lm-evaluation-harness' token rules ({@code _loglikelihood_tokens}): requests grouped by
 * their canonical shape, passes planned by {@link BatchShapes}, and prefix reuse (each distinct context once into a KV
 * cache, then only the continuations) where a request's own tokens allow it. docs/bit-identity.md says why every
 * decision here depends on the request alone.
 */
final class LoglikelihoodScorer {
  private final EngineCore core;
  private final DecoderStack model;
  private final int maxLength;
  private final long padId;
  private final boolean usePrefixReuse;

  LoglikelihoodScorer(EngineCore core, boolean prefixReuse) {
    this.core = core;
    this.model = core.model;
    this.maxLength = core.maxLength;
    this.padId = core.padId;
    this.usePrefixReuse = prefixReuse;
  }

  /**
   * Scores {@code batch} in forward passes shaped by {@code shapes}: requests are grouped by their shape key
   * (path and padded widths), and each group runs in passes of at most {@code shapes.rows(width)} requests.
   */
  List<LoglikelihoodResult> score(List<LoglikelihoodRequest> batch, BatchShapes shapes) {
    java.util.Map<List<Integer>, List<Scored>> groups = new java.util.LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Scored s = scored(i, batch.get(i), shapes);
      groups.computeIfAbsent(s.shapeKey(), k -> new ArrayList<>()).add(s);
    }
    LoglikelihoodResult[] out = new LoglikelihoodResult[batch.size()];
    for (var group : groups.entrySet()) {
      List<Integer> key = group.getKey();
      List<Scored> members = group.getValue();
      int perPass = shapes.canonical() ? rowsFor(shapes, key.get(1), key.get(1) + key.get(2)) : members.size();
      if (key.get(0) == 1 && shapes.canonical()) {
        // prefix reuse: up to perPass distinct contexts per context pass, all their requests after it
        for (List<Scored> pass : byContexts(members, perPass)) {
          scoreSharedContexts(pass, perPass, shapes, out);
        }
        continue;
      }
      for (int from = 0; from < members.size(); from += perPass) {
        List<Scored> pass = members.subList(from, Math.min(members.size(), from + perPass));
        int rows = shapes.canonical() ? rowsUsed(pass.size(), key.get(1), perPass) : pass.size();
        boolean shares = ContextGroups.of(pass.stream().map(Scored::context).toArray(long[][]::new)).prefixes().length < pass.size();
        if (key.get(0) == 1 && shares) {
          scoreSharedContexts(pass, rows, shapes, out);
        } else {
          scoreWhole(pass, rows, shapes, out);
        }
      }
    }
    return Arrays.asList(out);
  }

  /**
   * Rows of a canonical pass whose widest pass is {@code width} tokens wide and whose rows are {@code tokens} long
   * in all: the settings' rows, fewer when the attention scores would exceed {@link Attention#ATTENTION_BYTES}, and
   * one fewer where rows × width would leave a partial kernel block ({@link #PASS_BLOCK}). A function of the request's
   * own widths and the model, so the shapes stay canonical.
   */
  int rowsFor(BatchShapes shapes, int width, int tokens) {
    long perRow = 4L * model.config().numHeads() * width * (long) width;
    int rows = (int) Math.max(1, Math.min(shapes.rows(tokens), Attention.ATTENTION_BYTES / perRow));
    // rows × width a multiple of PASS_BLOCK, or one row: the matmul kernels take a pass's token rows in blocks and give
    // the rows of a partial last block other bits, so a request's bits would depend on its place in the pass
    while (rows > 1 && (long) rows * width % PASS_BLOCK != 0) {
      rows--;
    }
    return rows;
  }

  /**
   * Token rows the CPU matmul kernels take at a time, as measured (session 16, PassPlaceInvarianceTest): the last
   * request of a 3-, 5- or 7-row pass of width 48 on a 512-wide model got other bits than the same request elsewhere;
   * with rows × width a multiple of 32 every place gives the same bits. Widths are multiples of 16, so this only ever
   * drops one row from an odd row count at a width that is an odd multiple of 16.
   */
  static final int PASS_BLOCK = 32;

  /**
   * Rows a canonical pass of {@code used} requests at {@code width} actually runs: no empty rows beyond what the
   * block rule needs (one more for an odd count at an odd multiple of 16). Under that rule a request's bits do not
   * depend on the pass's row count (the kernels treat every full block of token rows alike; the query blocks of
   * attention are the canonical count's, since fewer rows never cross the score cap that decides them), so a lone
   * request runs in one or two rows rather than in a full pass of empty ones. Checked by BatchCompositionInvarianceTest,
   * PassPlaceInvarianceTest and the demo's bits.
   */
  static int rowsUsed(int used, int width, int canonicalRows) {
    int rows = Math.max(1, used);
    while (rows < canonicalRows && (long) rows * width % PASS_BLOCK != 0) {
      rows++;
    }
    return Math.max(rows, Math.min(used, canonicalRows));
  }

  /** Requests grouped by context, then cut into passes of at most {@code contexts} distinct contexts each. */
  private static List<List<Scored>> byContexts(List<Scored> members, int contexts) {
    java.util.Map<ContextKey, List<Scored>> byContext = new java.util.LinkedHashMap<>();
    for (Scored s : members) {
      byContext.computeIfAbsent(new ContextKey(s.context()), k -> new ArrayList<>()).add(s);
    }
    List<List<Scored>> passes = new ArrayList<>();
    int inPass = contexts;
    for (List<Scored> sharing : byContext.values()) {
      if (inPass == contexts) {
        passes.add(new ArrayList<>());
        inPass = 0;
      }
      passes.get(passes.size() - 1).addAll(sharing);
      inPass++;
    }
    return passes;
  }

  /**
   * One request's tokens and the path it takes. Prefix reuse is decided by the request alone (its context was
   * not cut to the maximum length and no sliding window can be reached), so that a request takes the same path,
   * and the same shapes, whoever its neighbours are.
   */
  private record Scored(int index, long[] context, long[] continuation, long[] input, boolean reuse, int width, int contWidth) {
    List<Integer> shapeKey() {
      return List.of(reuse ? 1 : 0, width, contWidth);
    }

    /** The input lost tokens from the left: (context + continuation)[-(max_length + 1):][:-1] is shorter than the whole. */
    boolean truncated() {
      return input.length < context.length + continuation.length - 1;
    }
  }

  private Scored scored(int index, LoglikelihoodRequest r, BatchShapes shapes) {
    long[][] pair = core.encodePair(r);
    if (pair[1].length == 0) {
      throw new IllegalArgumentException("request " + index + ": the continuation encodes to no tokens");
    }
    long[] whole = TokenIds.concat(pair[0], pair[1]);
    // (context + continuation)[-(max_length + 1):][:-1]
    int from = Math.max(0, whole.length - (maxLength + 1));
    long[] input = Arrays.copyOfRange(whole, from, whole.length - 1);
    boolean whollyScored = input.length == pair[0].length + pair[1].length - 1;
    if (!shapes.canonical()) {
      return new Scored(index, pair[0], pair[1], input, usePrefixReuse && whollyScored && windowAllows(whole.length), 0, 0);
    }
    int prefixWidth = BatchShapes.bucket(pair[0].length);
    int contWidth = continuationWidth(pair[1].length - 1);
    // a sliding window's bound counts padded slots, so the padded width must stay within half of it
    if (usePrefixReuse && whollyScored && windowAllows(prefixWidth + contWidth)) {
      return new Scored(index, pair[0], pair[1], input, true, prefixWidth, contWidth);
    }
    return new Scored(index, pair[0], pair[1], input, false, Math.min(BatchShapes.bucket(input.length), maxLength), 0);
  }

  /** The continuation pass's width: none for single-token continuations, else a multiple of 32 (few buckets, so a question's choices stay together). */
  private static int continuationWidth(int tokens) {
    return tokens == 0 ? 0 : (tokens + 31) / 32 * 32;
  }

  private boolean windowAllows(int tokens) {
    int window = model.config().slidingWindow();
    return window == 0 || 2 * tokens <= window;
  }

  /** Every request runs its whole (possibly cut) input in one pass; empty rows fill a canonical pass. */
  private void scoreWhole(List<Scored> pass, int rows, BatchShapes shapes, LoglikelihoodResult[] out) {
    int width = shapes.canonical() ? pass.get(0).width() : pass.stream().mapToInt(s -> s.input().length).max().orElse(1);
    long[][] inputs = new long[rows][];
    Arrays.fill(inputs, new long[0]);
    int total = 0;
    for (int i = 0; i < pass.size(); i++) {
      inputs[i] = pass.get(i).input();
      total += Math.min(pass.get(i).continuation().length, inputs[i].length);
    }
    // rows of the hidden states that predict continuation tokens, for all requests at once
    long[] hiddenRows = new long[total];
    long[] targets = new long[total];
    int k = 0;
    for (int i = 0; i < pass.size(); i++) {
      long[] cont = pass.get(i).continuation();
      int contLen = Math.min(cont.length, inputs[i].length);
      for (int j = 0; j < contLen; j++, k++) {
        hiddenRows[k] = (long) i * width + inputs[i].length - contLen + j;
        targets[k] = cont[cont.length - contLen + j];
      }
    }
    EngineCore.TokenScores scores = wholePass(inputs, rows, width, hiddenRows, targets, shapes, false);
    k = 0;
    for (int i = 0; i < pass.size(); i++) {
      Scored s = pass.get(i);
      int contLen = Math.min(s.continuation().length, inputs[i].length);
      double sum = 0;
      boolean greedy = true;
      for (int j = 0; j < contLen; j++, k++) {
        sum += scores.logProbs()[k];
        greedy &= scores.argmax()[k] == targets[k];
      }
      out[s.index()] = new LoglikelihoodResult(sum, greedy, s.context(), s.continuation(), s.truncated());
    }
  }

  /**
   * One pass over whole inputs (right-padded to {@code width}, {@code rows} rows, empty ones included) and the token
   * scores of the hidden rows {@code hiddenRows} read at {@code targets}: the path of a request without prefix reuse.
   */
  private EngineCore.TokenScores wholePass(long[][] inputs, int rows, int width, long[] hiddenRows, long[] targets, BatchShapes shapes,
                                           boolean withMax) {
    try (NDScope scope = new NDScope()) {
      PaddedBatch padded = PaddedBatch.rightPadded(inputs, width, padId);
      NDArray hidden = core.forward(padded.ids(), padded.mask(), padded.positions(), rows, width, width, null);
      NDManager m = hidden.getManager();
      NDArray selected = hidden.reshape(-1, hidden.getShape().get(2)).get(m.create(hiddenRows));
      return core.tokenScores(selected, targets, shapes, withMax);
    }
  }

  /**
   * Prefix reuse for multiple-choice scoring: each distinct context runs once (one row per context, into a KV
   * cache), the cache rows are copied to the requests that share them, and only the continuations run in a
   * second pass. The first continuation token is predicted by the context's last position, the others by the
   * continuation pass — the same positions the harness scores, so the sums equal the single-pass ones.
   */
  private void scoreSharedContexts(List<Scored> pass, int rows, BatchShapes shapes, LoglikelihoodResult[] out) {
    int n = pass.size();
    long[][] contexts = pass.stream().map(Scored::context).toArray(long[][]::new);
    ContextGroups groups = ContextGroups.of(contexts);
    int[] group = groups.group();
    long[][] prefixes = groups.prefixes();
    int prefixWidth = shapes.canonical() ? pass.get(0).width() : Arrays.stream(prefixes).mapToInt(p -> p.length).max().orElse(1);
    int contWidth = shapes.canonical() ? pass.get(0).contWidth()
        : pass.stream().mapToInt(s -> s.continuation().length - 1).max().orElse(0);
    // canonical: the context pass and every continuation pass have `rows` rows, empty ones included
    int prefixRows = shapes.canonical() ? rowsUsed(prefixes.length, prefixWidth, rows) : prefixes.length;
    int contRows = shapes.canonical() ? rows : n;
    long[][] prefixInputs = Arrays.copyOf(prefixes, prefixRows);
    for (int i = prefixes.length; i < prefixRows; i++) {
      prefixInputs[i] = new long[0];
    }
    try (NDScope scope = new NDScope(); KvCache cache = model.newCache()) {
      PaddedBatch pre = PaddedBatch.rightPadded(prefixInputs, prefixWidth, padId);
      NDArray prefixHidden = core.forward(pre.ids(), pre.mask(), pre.positions(), prefixRows, prefixWidth, prefixWidth, cache);
      long hiddenSize = prefixHidden.getShape().get(2);
      NDManager m = prefixHidden.getManager();
      // targets in request order: the first from the context's last position, the rest from the continuation passes
      long[] firstRows = new long[n];
      List<Long> targets = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        firstRows[i] = (long) group[i] * prefixWidth + prefixes[group[i]].length - 1;
        targets.add(pass.get(i).continuation()[0]);
      }
      NDArray selected = prefixHidden.reshape(-1, hiddenSize).get(m.create(firstRows));
      for (int from = 0; contWidth > 0 && from < n; from += contRows) {
        int count = Math.min(contRows, n - from);
        int passRows = shapes.canonical() ? rowsUsed(count, contWidth, contRows) : contRows;
        long[] cacheRows = new long[passRows];
        for (int i = 0; i < count; i++) {
          cacheRows[i] = group[from + i];
        }
        int keys = prefixWidth + contWidth;
        long[] ids = new long[passRows * contWidth];
        long[] mask = new long[passRows * keys];
        long[] positions = new long[passRows * contWidth];
        Arrays.fill(ids, padId);
        List<Long> restRows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          int g = group[from + i];
          int p = prefixes[g].length;
          System.arraycopy(pre.mask(), g * prefixWidth, mask, i * keys, prefixWidth);
          long[] cont = pass.get(from + i).continuation();
          for (int j = 0; j < contWidth; j++) {
            positions[i * contWidth + j] = p + j;
            if (j < cont.length - 1) {
              ids[i * contWidth + j] = cont[j];
              mask[i * keys + prefixWidth + j] = 1;
              restRows.add((long) i * contWidth + j);
              targets.add(cont[j + 1]);
            }
          }
        }
        try (KvCache rowsCache = cache.selected(cacheRows)) {
          NDArray contHidden = core.forward(ids, mask, positions, passRows, contWidth, keys, rowsCache);
          if (!restRows.isEmpty()) {
            selected = selected.concat(contHidden.reshape(-1, hiddenSize)
                .get(m.create(restRows.stream().mapToLong(Long::longValue).toArray())), 0);
          }
        }
      }
      long[] targetArray = targets.stream().mapToLong(Long::longValue).toArray();
      EngineCore.TokenScores scores = core.tokenScores(selected, targetArray, shapes);
      int k = n;
      for (int i = 0; i < n; i++) {
        Scored s = pass.get(i);
        double sum = scores.logProbs()[i];
        boolean greedy = scores.argmax()[i] == targetArray[i];
        for (int j = 1; j < s.continuation().length; j++, k++) {
          sum += scores.logProbs()[k];
          greedy &= scores.argmax()[k] == targetArray[k];
        }
        out[s.index()] = new LoglikelihoodResult(sum, greedy, s.context(), s.continuation(), s.truncated());
      }
    }
  }

  /**
   * Per-position scores of whole token sequences (a served completion with echo and logprobs): for each sequence of n
   * ids, the log-probability of ids 1..n-1 given those before, the argmax and its log-probability. Each sequence runs
   * along the path a log-likelihood request takes when its context is not reused — input ids[:-1], the same canonical
   * width and rows — so the continuation's entries, summed in order, are the bits {@link #score} gives that request
   * without prefix reuse.
   */
  List<PromptScores> scorePrompts(List<long[]> prompts, BatchShapes shapes) {
    java.util.Map<Integer, List<Integer>> byWidth = new java.util.LinkedHashMap<>();
    for (int i = 0; i < prompts.size(); i++) {
      long[] ids = core.inVocabulary(prompts.get(i));
      if (ids.length < 2 || ids.length - 1 > maxLength) {
        throw new IllegalArgumentException("sequence " + i + ": " + ids.length + " tokens; scoring needs 2 to " + (maxLength + 1));
      }
      int width = shapes.canonical() ? Math.min(BatchShapes.bucket(ids.length - 1), maxLength) : 0;
      byWidth.computeIfAbsent(width, k -> new ArrayList<>()).add(i);
    }
    PromptScores[] out = new PromptScores[prompts.size()];
    for (var group : byWidth.entrySet()) {
      List<Integer> members = group.getValue();
      int width0 = group.getKey();
      int perPass = shapes.canonical() ? rowsFor(shapes, width0, width0) : members.size();
      for (int from = 0; from < members.size(); from += perPass) {
        List<Integer> pass = members.subList(from, Math.min(members.size(), from + perPass));
        int rows = shapes.canonical() ? rowsUsed(pass.size(), width0, perPass) : pass.size();
        int width = shapes.canonical() ? width0 : pass.stream().mapToInt(i -> prompts.get(i).length - 1).max().orElse(1);
        long[][] inputs = new long[rows][];
        Arrays.fill(inputs, new long[0]);
        int total = 0;
        for (int r = 0; r < pass.size(); r++) {
          long[] ids = prompts.get(pass.get(r));
          inputs[r] = Arrays.copyOf(ids, ids.length - 1);
          total += inputs[r].length;
        }
        long[] hiddenRows = new long[total];
        long[] targets = new long[total];
        int k = 0;
        for (int r = 0; r < pass.size(); r++) {
          long[] ids = prompts.get(pass.get(r));
          for (int j = 0; j < inputs[r].length; j++, k++) {
            hiddenRows[k] = (long) r * width + j;
            targets[k] = ids[j + 1];
          }
        }
        EngineCore.TokenScores scores = wholePass(inputs, rows, width, hiddenRows, targets, shapes, true);
        k = 0;
        for (int r = 0; r < pass.size(); r++) {
          int n = inputs[r].length;
          out[pass.get(r)] = new PromptScores(Arrays.copyOfRange(scores.logProbs(), k, k + n), Arrays.copyOfRange(scores.argmax(), k, k + n),
              Arrays.copyOfRange(scores.maxLogProbs(), k, k + n));
          k += n;
        }
      }
    }
    return Arrays.asList(out);
  }

  /** The distinct contexts of a batch ({@code prefixes}, in first-seen order) and each request's index into them. */
  private record ContextGroups(int[] group, long[][] prefixes) {
    static ContextGroups of(long[][] contexts) {
      java.util.Map<ContextKey, Integer> index = new java.util.LinkedHashMap<>();
      int[] group = new int[contexts.length];
      for (int i = 0; i < contexts.length; i++) {
        group[i] = index.computeIfAbsent(new ContextKey(contexts[i]), k -> index.size());
      }
      return new ContextGroups(group, index.keySet().stream().map(ContextKey::ids).toArray(long[][]::new));
    }
  }

  /** A context's token ids as a hash key. */
  private record ContextKey(long[] ids) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ContextKey k && Arrays.equals(ids, k.ids);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(ids);
    }
  }

}

package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.text.PyStrings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Batched log-likelihood scoring and generation on a {@link DecoderStack} (the checkpoint's own layers, or a
 * TorchScript / ONNX export loaded through DJL Criteria), with the token-boundary
 * rules of lm-evaluation-harness v0.4.2 ({@code HFLM._encode_pair} and {@code _loglikelihood_tokens}).
 * Every batch runs in its own {@link NDScope}, so native memory is released when the batch ends.
 */
public final class LlamaEngine implements CausalLanguageModel {
  private final NDManager manager;
  private final DecoderStack model;
  private final TextTokenizer tokenizer;
  private final int maxLength;
  private final long padId;
  private final AtomicLong forwardPasses = new AtomicLong();
  private boolean useKvCache = true;
  private boolean usePrefixReuse = true;

  private LlamaEngine(NDManager manager, DecoderStack model, TextTokenizer tokenizer, int maxLength) {
    this.manager = manager;
    this.model = model;
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.padId = eosOrZero(model.config());
  }

  /**
   * Loads a Hugging Face Llama checkpoint directory.
   *
   * @param maxLength the longest sequence scored at once; longer inputs are cut from the left, as the harness does
   */
  public static LlamaEngine load(Path dir, int maxLength) throws IOException {
    return load(dir, maxLength, ai.djl.Device.cpu());
  }

  /** As {@link #load(Path, int)}, with the weights and every computation on {@code device} (e.g. {@code Device.gpu(1)}). */
  public static LlamaEngine load(Path dir, int maxLength, ai.djl.Device device) throws IOException {
    return load(dir, ModelSpec.FORMAT_HF_LLAMA, "fp32", maxLength, device);
  }

  /** As {@link #load(Path, String, String, int, ai.djl.Device)} in fp32. */
  public static LlamaEngine load(Path dir, String format, int maxLength, ai.djl.Device device) throws IOException {
    return load(dir, format, "fp32", maxLength, device);
  }

  /**
   * Loads a model directory in one of the {@link ModelSpec#FORMATS}: a Hugging Face checkpoint
   * ({@code hf-llama}: config.json + safetensors, run by {@link LlamaModel}) or an export with past key/values
   * ({@code torchscript}: model.pt, {@code onnx}: model.onnx, run by {@link ExportedDecoder}); each with
   * config.json and tokenizer.json beside it.
   *
   * @param dtype one of {@link ModelSpec#DTYPES}: the checkpoint's weights are cast to it; an export must have
   *     been made in it (its cache inputs are created in it)
   */
  public static LlamaEngine load(Path dir, String format, String dtype, int maxLength, ai.djl.Device device) throws IOException {
    return load(dir, format, dtype, maxLength, List.of(new LayerSplit.DeviceBudget(device, Long.MAX_VALUE)));
  }

  /**
   * As {@link #load(Path, String, String, int, ai.djl.Device)} on the first of {@code devices}; a Hugging Face
   * checkpoint that does not fit the first device's weight budget is split by layers over the others
   * ({@link LayerSplit}, logged). Exports are single graphs and always load on the first device.
   */
  public static LlamaEngine load(Path dir, String format, String dtype, int maxLength, List<LayerSplit.DeviceBudget> devices)
      throws IOException {
    DataType computeType = computeType(dir, dtype);
    NDManager manager = NDManager.newBaseManager(devices.get(0).device(), "PyTorch");
    DecoderStack model = null;
    try {
      model = switch (format) {
        case ModelSpec.FORMAT_HF_LLAMA -> LlamaModel.load(dir, manager, computeType, devices);
        case ModelSpec.FORMAT_TORCHSCRIPT -> ExportedDecoder.load(dir, ExportedDecoder.Format.TORCHSCRIPT, manager, computeType);
        case ModelSpec.FORMAT_ONNX -> ExportedDecoder.load(dir, ExportedDecoder.Format.ONNX, manager, computeType);
        default -> throw new ModelFormatException(dir, "format", "unsupported model format '" + format + "' (supported: "
            + String.join(", ", ModelSpec.FORMATS) + ")");
      };
      TextTokenizer tokenizer = TextTokenizer.load(dir);
      int limit = Math.min(maxLength, model.config().maxPositionEmbeddings());
      return new LlamaEngine(manager, model, tokenizer, limit);
    } catch (IOException | RuntimeException e) {
      if (model != null) {
        model.close();
      }
      manager.close();
      throw e;
    }
  }

  /**
   * The compute dtype of a registry {@code dtype}. bf16 is refused with a clear error: DJL 0.36's PyTorch JNI
   * aborts the whole JVM ("terminate called without an active exception") on any bfloat16 tensor — created
   * from a buffer or converted — so it cannot be offered until DJL handles it; bf16 checkpoints run in fp32
   * (exact widening) or fp16.
   */
  public static DataType computeType(Path dir, String dtype) {
    return switch (dtype) {
      case "fp32" -> DataType.FLOAT32;
      case "fp16" -> DataType.FLOAT16;
      case "bf16" -> throw new ModelFormatException(dir, "dtype", "bf16 compute is not available: DJL 0.36's PyTorch "
          + "JNI aborts the JVM on bfloat16 tensors; set dtype = \"fp32\" (bf16 weights widen exactly) or \"fp16\"");
      default -> throw new ModelFormatException(dir, "dtype", "unsupported dtype '" + dtype + "' (supported: "
          + String.join(", ", ModelSpec.DTYPES) + ")");
    };
  }

  private static long eosOrZero(LlamaConfig c) {
    return c.eosTokenIds().isEmpty() ? 0 : c.eosTokenIds().get(0);
  }

  @Override
  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public long forwardPasses() {
    return forwardPasses.get();
  }

  /** Context and continuation token ids exactly as lm-evaluation-harness splits them. */
  public long[][] encodePair(LoglikelihoodRequest r) {
    if (r.context().isEmpty()) {
      // the harness scores a context-free continuation after the end-of-text token
      return new long[][] {{padId}, tokenizer.encode(r.continuation(), r.addSpecialTokens())};
    }
    String context = r.context();
    String continuation = r.continuation();
    int trimmed = PyStrings.rstripEnd(context);
    if (trimmed < context.length()) {
      // trailing spaces of the context move to the continuation, so the boundary falls on a token edge
      continuation = context.substring(trimmed) + continuation;
      context = context.substring(0, trimmed);
    }
    long[] whole = tokenizer.encode(context + continuation, r.addSpecialTokens());
    long[] ctx = tokenizer.encode(context, r.addSpecialTokens());
    int ctxLen = Math.min(ctx.length, whole.length);
    return new long[][] {Arrays.copyOfRange(whole, 0, ctxLen), Arrays.copyOfRange(whole, ctxLen, whole.length)};
  }

  @Override
  public List<LoglikelihoodResult> loglikelihood(List<LoglikelihoodRequest> batch) {
    int n = batch.size();
    long[][] contexts = new long[n][];
    long[][] continuations = new long[n][];
    long[][] inputs = new long[n][];
    int width = 1;
    for (int i = 0; i < n; i++) {
      long[][] pair = encodePair(batch.get(i));
      contexts[i] = pair[0];
      continuations[i] = pair[1];
      if (continuations[i].length == 0) {
        throw new IllegalArgumentException("request " + i + ": the continuation encodes to no tokens");
      }
      long[] whole = concat(pair[0], pair[1]);
      // (context + continuation)[-(max_length + 1):][:-1]
      int from = Math.max(0, whole.length - (maxLength + 1));
      inputs[i] = Arrays.copyOfRange(whole, from, whole.length - 1);
      width = Math.max(width, inputs[i].length);
    }
    if (usePrefixReuse) {
      ContextGroups groups = ContextGroups.of(contexts);
      if (canReuse(groups, contexts, inputs, continuations)) {
        return loglikelihoodSharedContexts(groups, contexts, continuations);
      }
    }
    List<LoglikelihoodResult> results = new ArrayList<>(n);
    try (NDScope scope = new NDScope()) {
      PaddedBatch padded = PaddedBatch.rightPadded(inputs, width, padId);
      NDArray hidden = forward(padded.ids(), padded.mask(), padded.positions(), padded.rows(), width, width, null);
      // rows of the hidden states that predict continuation tokens, for all requests at once
      int total = Arrays.stream(continuations).mapToInt(c -> Math.min(c.length, maxLength)).sum();
      long[] rows = new long[total];
      long[] targets = new long[total];
      int k = 0;
      for (int i = 0; i < n; i++) {
        int contLen = Math.min(continuations[i].length, inputs[i].length);
        long[] cont = continuations[i];
        for (int j = 0; j < contLen; j++) {
          rows[k] = (long) i * width + inputs[i].length - contLen + j;
          targets[k] = cont[cont.length - contLen + j];
          k++;
        }
      }
      total = k;
      NDManager m = hidden.getManager();
      NDArray selected = hidden.reshape(-1, hidden.getShape().get(2)).get(m.create(Arrays.copyOf(rows, total)));
      NDArray logProbs = model.logits(selected).logSoftmax(1);
      NDArray targetArray = m.create(Arrays.copyOf(targets, total)).reshape(total, 1);
      float[] picked = logProbs.gather(targetArray, 1).toFloatArray();
      long[] argmax = logProbs.argMax(1).toLongArray();
      k = 0;
      for (int i = 0; i < n; i++) {
        int contLen = Math.min(continuations[i].length, inputs[i].length);
        double sum = 0;
        boolean greedy = true;
        for (int j = 0; j < contLen; j++, k++) {
          sum += picked[k];
          greedy &= argmax[k] == targets[k];
        }
        results.add(new LoglikelihoodResult(sum, greedy, contexts[i], continuations[i]));
      }
    }
    return results;
  }

  /**
   * Whether the batch can and should score its contexts once: some requests share a context, none was cut to
   * the maximum length, and no sliding window can be reached (its bound counts padded slots).
   */
  private boolean canReuse(ContextGroups groups, long[][] contexts, long[][] inputs, long[][] continuations) {
    if (groups.prefixes().length == contexts.length) {
      return false;
    }
    int longest = 0;
    for (int i = 0; i < contexts.length; i++) {
      if (inputs[i].length != contexts[i].length + continuations[i].length - 1) {
        return false;
      }
      longest = Math.max(longest, contexts[i].length + continuations[i].length);
    }
    int window = model.config().slidingWindow();
    return window == 0 || 2 * longest <= window;
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

  /**
   * Prefix reuse for multiple-choice scoring: each distinct context runs once (one row per context, into a KV
   * cache), the cache rows are copied to the requests that share them, and only the continuations run in a
   * second pass. The first continuation token is predicted by the context's last position, the others by the
   * continuation pass — the same positions the harness scores, so the sums equal the single-pass ones.
   */
  private List<LoglikelihoodResult> loglikelihoodSharedContexts(ContextGroups groups, long[][] contexts, long[][] continuations) {
    int n = contexts.length;
    int[] group = groups.group();
    long[][] prefixes = groups.prefixes();
    int prefixWidth = Arrays.stream(prefixes).mapToInt(p -> p.length).max().orElse(1);
    int contWidth = Arrays.stream(continuations).mapToInt(c -> c.length - 1).max().orElse(0);
    List<LoglikelihoodResult> results = new ArrayList<>(n);
    try (NDScope scope = new NDScope(); KvCache cache = model.newCache()) {
      PaddedBatch pre = PaddedBatch.rightPadded(prefixes, prefixWidth, padId);
      NDArray prefixHidden = forward(pre.ids(), pre.mask(), pre.positions(), prefixes.length, prefixWidth, prefixWidth, cache);
      long hiddenSize = prefixHidden.getShape().get(2);
      NDManager m = prefixHidden.getManager();
      // targets in request order: the first from the context's last position, the rest from the second pass
      long[] firstRows = new long[n];
      long[] firstTargets = new long[n];
      List<Long> restRows = new ArrayList<>();
      List<Long> restTargets = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        firstRows[i] = (long) group[i] * prefixWidth + prefixes[group[i]].length - 1;
        firstTargets[i] = continuations[i][0];
        for (int j = 1; j < continuations[i].length; j++) {
          restRows.add((long) i * contWidth + j - 1);
          restTargets.add(continuations[i][j]);
        }
      }
      NDArray selected = prefixHidden.reshape(-1, hiddenSize).get(m.create(firstRows));
      if (contWidth > 0) {
        cache.select(Arrays.stream(group).mapToLong(g -> g).toArray());
        int keys = prefixWidth + contWidth;
        long[] ids = new long[n * contWidth];
        long[] mask = new long[n * keys];
        long[] positions = new long[n * contWidth];
        Arrays.fill(ids, padId);
        for (int i = 0; i < n; i++) {
          int p = prefixes[group[i]].length;
          System.arraycopy(pre.mask(), group[i] * prefixWidth, mask, i * keys, prefixWidth);
          for (int j = 0; j < contWidth; j++) {
            positions[i * contWidth + j] = p + j;
            if (j < continuations[i].length - 1) {
              ids[i * contWidth + j] = continuations[i][j];
              mask[i * keys + prefixWidth + j] = 1;
            }
          }
        }
        NDArray contHidden = forward(ids, mask, positions, n, contWidth, keys, cache);
        if (!restRows.isEmpty()) {
          NDArray rest = contHidden.reshape(-1, hiddenSize).get(m.create(restRows.stream().mapToLong(Long::longValue).toArray()));
          selected = selected.concat(rest, 0);
        }
      }
      long[] targets = new long[n + restTargets.size()];
      System.arraycopy(firstTargets, 0, targets, 0, n);
      for (int k = 0; k < restTargets.size(); k++) {
        targets[n + k] = restTargets.get(k);
      }
      NDArray logProbs = model.logits(selected).logSoftmax(1);
      float[] picked = logProbs.gather(m.create(targets).reshape(targets.length, 1), 1).toFloatArray();
      long[] argmax = logProbs.argMax(1).toLongArray();
      int k = n;
      for (int i = 0; i < n; i++) {
        double sum = picked[i];
        boolean greedy = argmax[i] == targets[i];
        for (int j = 1; j < continuations[i].length; j++, k++) {
          sum += picked[k];
          greedy &= argmax[k] == targets[k];
        }
        results.add(new LoglikelihoodResult(sum, greedy, contexts[i], continuations[i]));
      }
    }
    return results;
  }

  /** Turns prefix reuse off (every request runs its whole context); for benchmarks and checks. */
  public LlamaEngine withPrefixReuse(boolean on) {
    this.usePrefixReuse = on;
    return this;
  }

  /** Turns the KV cache off (every step recomputes the whole prefix); for benchmarks and checks. */
  public LlamaEngine withKvCache(boolean on) {
    this.useKvCache = on;
    return this;
  }

  /** The decoding state of one request. */
  private final class Sequence {
    final GenerationRequest request;
    final long[] prompt;
    final List<Long> generated = new ArrayList<>();
    final java.util.SplittableRandom rnd;
    String finish;
    String text;

    Sequence(GenerationRequest request) {
      this.request = request;
      long[] ids = tokenizer.encode(request.prompt(), request.addSpecialTokens());
      // keep room for the new tokens: the prompt is cut from the left, as the harness does
      int keep = Math.max(1, maxLength - request.maxNewTokens());
      long[] cut = ids.length > keep ? Arrays.copyOfRange(ids, ids.length - keep, ids.length) : ids;
      this.prompt = cut.length == 0 ? new long[] {padId} : cut;
      this.rnd = new java.util.SplittableRandom(request.seed());
      if (request.maxNewTokens() <= 0) {
        finish = "length";
        text = "";
      }
    }

    long[] tokens() {
      return concat(prompt, generated.stream().mapToLong(Long::longValue).toArray());
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
      return new GenerationResult(text, prompt, generated.stream().mapToLong(Long::longValue).toArray(), finish);
    }
  }

  @Override
  public List<GenerationResult> generate(List<GenerationRequest> batch) {
    List<Sequence> all = new ArrayList<>();
    for (GenerationRequest r : batch) {
      all.add(new Sequence(r));
    }
    List<Sequence> active = new ArrayList<>(all.stream().filter(q -> q.finish == null).toList());
    if (!active.isEmpty()) {
      if (useKvCache) {
        decodeWithCache(active);
      } else {
        decodeWithoutCache(active);
      }
    }
    return all.stream().map(Sequence::result).toList();
  }

  /** Prefill once, then one token per step; finished sequences leave the batch and the cache. */
  private void decodeWithCache(List<Sequence> active) {
    int vocab = model.config().vocabSize();
    try (KvCache cache = model.newCache()) {
      long[][] seqs = active.stream().map(Sequence::tokens).toArray(long[][]::new);
      int width = Arrays.stream(seqs).mapToInt(x -> x.length).max().orElse(1);
      PaddedBatch prefill = PaddedBatch.leftPadded(seqs, width, padId);
      List<long[]> masks = new ArrayList<>();
      for (int r = 0; r < seqs.length; r++) {
        masks.add(Arrays.copyOfRange(prefill.mask(), r * width, (r + 1) * width));
      }
      float[] logits = lastLogits(prefill.ids(), prefill.mask(), prefill.positions(), seqs.length, width, width, cache);
      while (true) {
        List<Sequence> still = new ArrayList<>();
        List<long[]> stillMasks = new ArrayList<>();
        List<Long> keepRows = new ArrayList<>();
        for (int r = 0; r < active.size(); r++) {
          Sequence q = active.get(r);
          if (!q.accept(TokenSampler.next(logits, r * vocab, vocab, q.request, q.rnd))) {
            still.add(q);
            stillMasks.add(masks.get(r));
            keepRows.add((long) r);
          }
        }
        if (still.isEmpty()) {
          return;
        }
        if (still.size() < active.size()) {
          cache.select(keepRows.stream().mapToLong(Long::longValue).toArray());
        }
        active = still;
        int rows = active.size();
        int total = stillMasks.get(0).length + 1;
        long[] ids = new long[rows];
        long[] mask = new long[rows * total];
        long[] positions = new long[rows];
        masks = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
          Sequence q = active.get(r);
          ids[r] = q.generated.get(q.generated.size() - 1);
          positions[r] = q.prompt.length + q.generated.size() - 1;
          long[] m = Arrays.copyOf(stillMasks.get(r), total);
          m[total - 1] = 1;
          masks.add(m);
          System.arraycopy(m, 0, mask, r * total, total);
        }
        logits = lastLogits(ids, mask, positions, rows, 1, total, cache);
      }
    }
  }

  /** Every step recomputes the whole (left-padded) sequence. */
  private void decodeWithoutCache(List<Sequence> active) {
    int vocab = model.config().vocabSize();
    while (!active.isEmpty()) {
      long[][] seqs = active.stream().map(Sequence::tokens).toArray(long[][]::new);
      int width = Arrays.stream(seqs).mapToInt(x -> x.length).max().orElse(1);
      PaddedBatch padded = PaddedBatch.leftPadded(seqs, width, padId);
      float[] logits = lastLogits(padded.ids(), padded.mask(), padded.positions(), seqs.length, width, width, null);
      List<Sequence> still = new ArrayList<>();
      for (int r = 0; r < active.size(); r++) {
        Sequence q = active.get(r);
        if (!q.accept(TokenSampler.next(logits, r * vocab, vocab, q.request, q.rnd))) {
          still.add(q);
        }
      }
      active = still;
    }
  }

  /** Logits of the last position of every row, (rows × vocab) row-major, from one forward pass. */
  private float[] lastLogits(long[] ids, long[] mask, long[] positions, int rows, int width, int keys, KvCache cache) {
    try (NDScope scope = new NDScope()) {
      NDArray last = forward(ids, mask, positions, rows, width, keys, cache).get(":, -1, :");
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

  /**
   * One forward pass: (rows × width) new tokens attending to (rows × keys) keys, cached ones first. The
   * arrays created here are tracked and freed by the caller's NDScope.
   */
  private NDArray forward(long[] ids, long[] mask, long[] positions, int rows, int width, int keys, KvCache cache) {
    forwardPasses.incrementAndGet();
    return model.hiddenStates(manager.create(ids, new Shape(rows, width)), manager.create(mask, new Shape(rows, keys)),
        manager.create(positions, new Shape(rows, width)), cache);
  }

  private static long[] concat(long[] a, long[] b) {
    long[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
    manager.close();
  }

  /** Token ids, attention mask and position ids of a padded batch, flattened row-major. */
  record PaddedBatch(int rows, int width, long[] ids, long[] mask, long[] positions) {
    static PaddedBatch rightPadded(long[][] seqs, int width, long pad) {
      return pad(seqs, width, pad, false);
    }

    static PaddedBatch leftPadded(long[][] seqs, int width, long pad) {
      return pad(seqs, width, pad, true);
    }

    private static PaddedBatch pad(long[][] seqs, int width, long pad, boolean left) {
      int rows = seqs.length;
      long[] ids = new long[rows * width];
      long[] mask = new long[rows * width];
      long[] positions = new long[rows * width];
      Arrays.fill(ids, pad);
      for (int r = 0; r < rows; r++) {
        int offset = left ? width - seqs[r].length : 0;
        for (int j = 0; j < seqs[r].length; j++) {
          ids[r * width + offset + j] = seqs[r][j];
          mask[r * width + offset + j] = 1;
          positions[r * width + offset + j] = j;
        }
      }
      return new PaddedBatch(rows, width, ids, mask, positions);
    }
  }
}

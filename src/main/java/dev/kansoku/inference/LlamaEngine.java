package dev.kansoku.inference;

import dev.kansoku.config.ModelSpec;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
  private final ThreadLocal<long[]> threadForwardPasses = ThreadLocal.withInitial(() -> new long[1]);
  private boolean useKvCache = true;
  private boolean usePrefixReuse = true;

  private LlamaEngine(NDManager manager, DecoderStack model, TextTokenizer tokenizer, int maxLength, DataType computeType) {
    this.manager = manager;
    this.model = model;
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.padId = eosOrZero(model.config());
    this.computeType = computeType;
  }

  private final DataType computeType;
  private AutoBatchTokens.Estimate autoBatch;

  @Override
  public synchronized AutoBatchTokens.Estimate autoBatchTokens(double configuredGib, int concurrentBatches) {
    if (autoBatch == null) {
      ModelConfig c = model.config();
      // bf16 and fp32 hold activations in float32; fp16 in half precision
      int activationBytes = computeType == DataType.FLOAT16 ? 2 : 4;
      long weightBytes = TensorSpec.elements(c) * computeType.getNumOfBytes();
      long free = AutoBatchTokens.freeBytes(manager.getDevice(), configuredGib, weightBytes);
      autoBatch = AutoBatchTokens.of(c, activationBytes, free, concurrentBatches, manager.getDevice().isGpu());
      org.slf4j.LoggerFactory.getLogger(LlamaEngine.class).info("batch-tokens = auto: {}", autoBatch);
    }
    return autoBatch;
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
   * ({@code hf-llama}: config.json + safetensors, run by {@link DecoderModel}) or an export with past key/values
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
        case ModelSpec.FORMAT_HF_LLAMA -> DecoderModel.load(dir, manager, computeType, devices);
        case ModelSpec.FORMAT_TORCHSCRIPT -> ExportedDecoder.load(dir, ExportedDecoder.Format.TORCHSCRIPT, manager, exportType(dir, computeType));
        case ModelSpec.FORMAT_ONNX -> ExportedDecoder.load(dir, ExportedDecoder.Format.ONNX, manager, exportType(dir, computeType));
        default -> throw new ModelFormatException(dir, "format", "unsupported model format '" + format + "' (supported: "
            + String.join(", ", ModelSpec.FORMATS) + ")");
      };
      TextTokenizer tokenizer = TextTokenizer.load(dir);
      long ids = TextTokenizer.idCount(dir.resolve("tokenizer.json"));
      if (ids > model.config().vocabSize()) {
        // not fatal (most text may stay below), but every request that reaches an id above fails: say so now
        org.slf4j.LoggerFactory.getLogger(LlamaEngine.class).warn("{}: tokenizer.json has {} token ids but config.json's vocab_size "
            + "is {}: requests with a token id of {} or more will fail (is the tokenizer from another model?)", dir, ids,
            model.config().vocabSize(), model.config().vocabSize());
      }
      int limit = Math.min(maxLength, model.config().maxPositionEmbeddings());
      if (maxLength > limit) {
        org.slf4j.LoggerFactory.getLogger(LlamaEngine.class).warn("{}: max length {} is above config.json's max_position_embeddings {}: "
            + "inputs are cut to {} tokens", dir, maxLength, limit, limit);
      }
      return new LlamaEngine(manager, model, tokenizer, limit, computeType);
    } catch (IOException | RuntimeException e) {
      if (model != null) {
        model.close();
      }
      manager.close();
      throw e;
    }
  }

  /**
   * The compute dtype of a registry {@code dtype}. bf16 means bf16 weights and bf16 matrix products with float32
   * everywhere else ({@link Bfloat16Ops}: DJL 0.36's own bfloat16 path aborts the JVM, so bf16 tensors live only
   * inside a TorchScript module). Exports are single graphs in the dtype they were exported in: fp32 or fp16.
   */
  public static DataType computeType(Path dir, String dtype) {
    return switch (dtype) {
      case "fp32" -> DataType.FLOAT32;
      case "fp16" -> DataType.FLOAT16;
      case "bf16" -> DataType.BFLOAT16;
      default -> throw new ModelFormatException(dir, "dtype", "unsupported dtype '" + dtype + "' (supported: "
          + String.join(", ", ModelSpec.DTYPES) + ")");
    };
  }

  /** An export's cache dtype: bf16 exports would need their cache made in bf16, which DJL 0.36 cannot create. */
  private static DataType exportType(Path dir, DataType computeType) {
    if (computeType == DataType.BFLOAT16) {
      throw new ModelFormatException(dir, "dtype", "bf16 is available for hf-llama checkpoints only (an export's KV cache "
          + "would be a bf16 tensor, which DJL 0.36 cannot create); set dtype = \"fp32\" or \"fp16\"");
    }
    return computeType;
  }

  private static long eosOrZero(ModelConfig c) {
    return c.eosTokenIds().isEmpty() ? 0 : c.eosTokenIds().get(0);
  }

  @Override
  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  /** The longest sequence scored at once (the configured maximum, within the model's positions). */
  public int maxLength() {
    return maxLength;
  }

  @Override
  public long forwardPasses() {
    return forwardPasses.get();
  }

  @Override
  public long forwardPassesOnThisThread() {
    return threadForwardPasses.get()[0];
  }

  /**
   * {@code ids}, checked against the embedding: a tokenizer larger than the model's vocabulary (a tokenizer.json
   * from another model) would fail inside the forward pass with an index error; this names both sizes, and the
   * inference stage turns it into the request's error row.
   */
  private long[] inVocabulary(long[] ids) {
    int vocab = model.config().vocabSize();
    for (long id : ids) {
      if (id < 0 || id >= vocab) {
        throw new TokenOutOfVocabularyException(id, vocab);
      }
    }
    return ids;
  }

  /** Context and continuation token ids by the harness' rules ({@link HarnessPairEncoding}), checked against the vocabulary. */
  public long[][] encodePair(LoglikelihoodRequest r) {
    if (r.context().isEmpty()) {
      // the harness scores a context-free continuation after the end-of-text token
      return new long[][] {{padId}, inVocabulary(tokenizer.encode(r.continuation(), r.addSpecialTokens()))};
    }
    long[][] pair = HarnessPairEncoding.encode(tokenizer, r.context(), r.continuation(), r.addSpecialTokens());
    return new long[][] {inVocabulary(pair[0]), inVocabulary(pair[1])};
  }

  @Override
  public List<LoglikelihoodResult> loglikelihood(List<LoglikelihoodRequest> batch) {
    return loglikelihood(batch, BatchShapes.DEFAULT);
  }

  /**
   * Scores {@code batch} in forward passes shaped by {@code shapes}: requests are grouped by their shape key
   * (path and padded widths), and each group runs in passes of at most {@code shapes.rows(width)} requests.
   */
  @Override
  public List<LoglikelihoodResult> loglikelihood(List<LoglikelihoodRequest> batch, BatchShapes shapes) {
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
        int rows = shapes.canonical() ? perPass : pass.size();
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
   * Attention scores one pass may hold (rows × heads × width² × 4 bytes): 128 MB, half of the 256 MB above which
   * glibc (as the launcher sets it, MALLOC_MMAP_THRESHOLD_) serves blocks with fresh mmaps that are page-faulted on
   * every pass. Larger passes were the forward-pass cliff (docs/benchmarks.md: 2–6× slower, resident memory 6 GB
   * instead of 2 GB on the 50M model).
   */
  static final long ATTENTION_BYTES = 128L << 20;

  /**
   * Rows of a canonical pass whose widest pass is {@code width} tokens wide and whose rows are {@code tokens} long
   * in all: the settings' rows, fewer when the attention scores would exceed {@link #ATTENTION_BYTES}. A function
   * of the request's own widths and the model, so the shapes stay canonical.
   */
  private int rowsFor(BatchShapes shapes, int width, int tokens) {
    long perRow = 4L * model.config().numHeads() * width * (long) width;
    return (int) Math.max(1, Math.min(shapes.rows(tokens), ATTENTION_BYTES / perRow));
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
    long[][] pair = encodePair(r);
    if (pair[1].length == 0) {
      throw new IllegalArgumentException("request " + index + ": the continuation encodes to no tokens");
    }
    long[] whole = concat(pair[0], pair[1]);
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
    try (NDScope scope = new NDScope()) {
      PaddedBatch padded = PaddedBatch.rightPadded(inputs, width, padId);
      NDArray hidden = forward(padded.ids(), padded.mask(), padded.positions(), rows, width, width, null);
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
      NDManager m = hidden.getManager();
      NDArray selected = hidden.reshape(-1, hidden.getShape().get(2)).get(m.create(hiddenRows));
      TokenScores scores = tokenScores(selected, targets, shapes);
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
    int prefixRows = shapes.canonical() ? rows : prefixes.length;
    int contRows = shapes.canonical() ? rows : n;
    long[][] prefixInputs = Arrays.copyOf(prefixes, prefixRows);
    for (int i = prefixes.length; i < prefixRows; i++) {
      prefixInputs[i] = new long[0];
    }
    try (NDScope scope = new NDScope(); KvCache cache = model.newCache()) {
      PaddedBatch pre = PaddedBatch.rightPadded(prefixInputs, prefixWidth, padId);
      NDArray prefixHidden = forward(pre.ids(), pre.mask(), pre.positions(), prefixRows, prefixWidth, prefixWidth, cache);
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
        long[] cacheRows = new long[contRows];
        for (int i = 0; i < count; i++) {
          cacheRows[i] = group[from + i];
        }
        int keys = prefixWidth + contWidth;
        long[] ids = new long[contRows * contWidth];
        long[] mask = new long[contRows * keys];
        long[] positions = new long[contRows * contWidth];
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
          NDArray contHidden = forward(ids, mask, positions, contRows, contWidth, keys, rowsCache);
          if (!restRows.isEmpty()) {
            selected = selected.concat(contHidden.reshape(-1, hiddenSize)
                .get(m.create(restRows.stream().mapToLong(Long::longValue).toArray())), 0);
          }
        }
      }
      long[] targetArray = targets.stream().mapToLong(Long::longValue).toArray();
      TokenScores scores = tokenScores(selected, targetArray, shapes);
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

  /** The log-probability of each row's target token and each row's argmax. */
  private record TokenScores(float[] logProbs, long[] argmax) {}

  /**
   * Log-softmax over the vocabulary of the feature rows {@code selected}, read at {@code targets}. Under canonical
   * shapes the rows go through the LM head {@link BatchShapes#LOGIT_ROWS} at a time, the last chunk filled with
   * copies of the first row, so a row's logits do not depend on how many rows its batch scores.
   */
  private TokenScores tokenScores(NDArray selected, long[] targets, BatchShapes shapes) {
    NDManager m = selected.getManager();
    int total = targets.length;
    if (!shapes.canonical()) {
      NDArray logProbs = model.logits(selected).logSoftmax(1);
      return new TokenScores(logProbs.gather(m.create(targets).reshape(total, 1), 1).toFloatArray(), logProbs.argMax(1).toLongArray());
    }
    int chunk = BatchShapes.LOGIT_ROWS;
    int padded = (total + chunk - 1) / chunk * chunk;
    long[] index = new long[padded];
    long[] paddedTargets = new long[padded];
    for (int i = 0; i < total; i++) {
      index[i] = i;
      paddedTargets[i] = targets[i];
    }
    NDArray rows = selected.get(m.create(index));
    float[] logProbs = new float[padded];
    long[] argmax = new long[padded];
    for (int from = 0; from < padded; from += chunk) {
      NDArray part = model.logits(rows.get(from + ":" + (from + chunk))).logSoftmax(1);
      long[] t = Arrays.copyOfRange(paddedTargets, from, from + chunk);
      System.arraycopy(part.gather(m.create(t).reshape(chunk, 1), 1).toFloatArray(), 0, logProbs, from, chunk);
      System.arraycopy(part.argMax(1).toLongArray(), 0, argmax, from, chunk);
    }
    return new TokenScores(logProbs, argmax);
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
    final boolean truncated;
    String finish;
    String text;

    Sequence(GenerationRequest request) {
      this.request = request;
      long[] ids = inVocabulary(tokenizer.encode(request.prompt(), request.addSpecialTokens()));
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
      return new GenerationResult(text, prompt, generated.stream().mapToLong(Long::longValue).toArray(), finish, truncated);
    }
  }

  @Override
  public List<GenerationResult> generate(List<GenerationRequest> batch) {
    return generate(batch, BatchShapes.DEFAULT);
  }

  /**
   * Generates for {@code batch} in passes shaped by {@code shapes}: under canonical shapes requests are grouped
   * by prompt bucket and new-token budget, every pass of a group has the same rows, and a finished sequence keeps
   * its row (fed padding) until the pass ends, so that each step's shapes depend on the group alone.
   */
  @Override
  public List<GenerationResult> generate(List<GenerationRequest> batch, BatchShapes shapes) {
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
    for (var group : groups.entrySet()) {
      List<Sequence> members = group.getValue();
      int perPass = shapes.canonical() ? rowsFor(shapes, group.getKey().get(0), group.getKey().get(0) + group.getKey().get(1)) : members.size();
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
            q.accept(TokenSampler.next(logits, r * vocab, vocab, q.request, q.rnd));
          }
        }
        if (slots.stream().noneMatch(LlamaEngine::live)) {
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
    for (int step = 0; slots.stream().anyMatch(LlamaEngine::live); step++) {
      if (compact) {
        slots = slots.stream().filter(LlamaEngine::live).toList();
      }
      long[][] seqs = slots.stream().map(q -> q == null ? new long[0] : q.tokens()).toArray(long[][]::new);
      int w = compact ? Arrays.stream(seqs).mapToInt(x -> x.length).max().orElse(1) : width + step;
      PaddedBatch padded = PaddedBatch.leftPadded(seqs, w, padId);
      float[] logits = lastLogits(padded.ids(), padded.mask(), padded.positions(), seqs.length, w, w, null);
      for (int r = 0; r < slots.size(); r++) {
        Sequence q = slots.get(r);
        if (live(q)) {
          q.accept(TokenSampler.next(logits, r * vocab, vocab, q.request, q.rnd));
        }
      }
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
    threadForwardPasses.get()[0]++;
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

package dev.kansoku.inference;

import dev.kansoku.config.ModelSpec;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Batched log-likelihood scoring and generation on a {@link DecoderStack} (the checkpoint's own layers, or a
 * TorchScript / ONNX export loaded through DJL Criteria), with the token-boundary
 * rules of lm-evaluation-harness v0.4.2 ({@code HFLM._encode_pair} and {@code _loglikelihood_tokens}).
 * Every batch runs in its own {@link NDScope}, so native memory is released when the batch ends.
 */
public final class DjlEngine implements LanguageModel, LanguageModel.BatchSizing {
  private final EngineCore core;
  private final DecoderStack model;
  private final NDManager manager;
  private final LoglikelihoodScorer scorer;
  private final Generator generator;
  /** Whether close() frees the model: false for the views {@link #withPrefixReuse} and {@link #withKvCache} return. */
  private final boolean owner;
  private final boolean prefixReuse;
  private final boolean kvCache;
  private AutoBatchTokens.Estimate autoBatch;
  /** Of the load, the seconds the tokenizer took (the rest is the network: bench peer reports the two). */
  private double tokenizerLoadSeconds;

  private DjlEngine(EngineCore core, boolean prefixReuse, boolean kvCache, boolean owner) {
    this.core = core;
    this.model = core.model;
    this.manager = core.manager;
    this.prefixReuse = prefixReuse;
    this.kvCache = kvCache;
    this.owner = owner;
    this.scorer = new LoglikelihoodScorer(core, prefixReuse);
    this.generator = new Generator(core, kvCache, scorer);
  }

  @Override
  public synchronized AutoBatchTokens.Estimate autoBatchTokens(double configuredGib, int concurrentBatches) {
    if (autoBatch == null) {
      ModelConfig c = model.config();
      // bf16 and fp32 hold activations in float32; fp16 in half precision
      int activationBytes = core.computeType == DataType.FLOAT16 ? 2 : 4;
      long weightBytes = TensorSpec.elements(c) * core.computeType.getNumOfBytes();
      long free = AutoBatchTokens.freeBytes(manager.getDevice(), configuredGib, weightBytes);
      autoBatch = AutoBatchTokens.of(c, activationBytes, free, concurrentBatches, manager.getDevice().isGpu());
      org.slf4j.LoggerFactory.getLogger(DjlEngine.class).info("batch-tokens = auto: {}", autoBatch);
    }
    return autoBatch;
  }

  /**
   * Loads a Hugging Face Llama checkpoint directory.
   *
   * @param maxLength the longest sequence scored at once; longer inputs are cut from the left, as the harness does
   */
  public static DjlEngine load(Path dir, int maxLength) throws IOException {
    return load(dir, maxLength, ai.djl.Device.cpu());
  }

  /** As {@link #load(Path, int)}, with the weights and every computation on {@code device} (e.g. {@code Device.gpu(1)}). */
  public static DjlEngine load(Path dir, int maxLength, ai.djl.Device device) throws IOException {
    return load(dir, ModelSpec.FORMAT_HF_LLAMA, "fp32", maxLength, device);
  }

  /** As {@link #load(Path, String, String, int, ai.djl.Device)} in fp32. */
  public static DjlEngine load(Path dir, String format, int maxLength, ai.djl.Device device) throws IOException {
    return load(dir, format, "fp32", maxLength, device);
  }

  /**
   * Loads a model directory in a registered {@code model.format} through its {@link DjlBackend}: a Hugging Face
   * checkpoint ({@code hf-llama}: config.json + safetensors, run by {@link DecoderModel}) or an export with past
   * key/values ({@code torchscript}: model.pt, {@code onnx}: model.onnx, run by {@link ExportedDecoder}); each with
   * config.json and tokenizer.json beside it.
   *
   * @param dtype one of {@link ModelSpec#DTYPES}: the checkpoint's weights are cast to it; an export must have
   *     been made in it (its cache inputs are created in it)
   */
  public static DjlEngine load(Path dir, String format, String dtype, int maxLength, ai.djl.Device device) throws IOException {
    return load(dir, format, dtype, maxLength, List.of(new LayerSplit.DeviceBudget(device, Long.MAX_VALUE)));
  }

  /**
   * As {@link #load(Path, String, String, int, ai.djl.Device)} on the first of {@code devices}; a Hugging Face
   * checkpoint that does not fit the first device's weight budget is split by layers over the others
   * ({@link LayerSplit}, logged). Exports are single graphs and always load on the first device.
   */
  public static DjlEngine load(Path dir, String format, String dtype, int maxLength, List<LayerSplit.DeviceBudget> devices)
      throws IOException {
    Backend backend;
    try {
      backend = Backends.of(format);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(dir, "format", e.getMessage());
    }
    if (backend instanceof DjlBackend.Export export) {
      return export.exportEngine(dir, format.equals(ModelSpec.FORMAT_ONNX) ? ExportedDecoder.Format.ONNX : ExportedDecoder.Format.TORCHSCRIPT,
          dtype, maxLength, devices);
    }
    if (!(backend instanceof DjlBackend djl)) {
      throw new ModelFormatException(dir, "format", "'" + format + "' is not run by the local engine");
    }
    return djl.engine(dir, dtype, maxLength, devices);
  }

  /** Loads the network of a directory into a manager (what a {@link DjlBackend} knows of its format). */
  @FunctionalInterface
  interface NetworkLoader {
    DecoderStack load(Path dir, NDManager manager) throws IOException;
  }

  /** The engine on {@code dir}: the network from {@code network}, the tokenizer beside it, on the first device. */
  static DjlEngine load(Path dir, DataType computeType, int maxLength, List<LayerSplit.DeviceBudget> devices, NetworkLoader network)
      throws IOException {
    NDManager manager = NDManager.newBaseManager(devices.get(0).device(), "PyTorch");
    DecoderStack model = null;
    try {
      model = network.load(dir, manager);
      long t0 = System.nanoTime();
      TextTokenizer tokenizer = TextTokenizer.load(dir);
      long ids = TextTokenizer.idCount(dir.resolve("tokenizer.json"));
      double tokenizerSeconds = (System.nanoTime() - t0) / 1e9;
      if (ids > model.config().vocabSize()) {
        // not fatal (most text may stay below), but every request that reaches an id above fails: say so now
        org.slf4j.LoggerFactory.getLogger(DjlEngine.class).warn("{}: tokenizer.json has {} token ids but config.json's vocab_size "
            + "is {}: requests with a token id of {} or more will fail (is the tokenizer from another model?)", dir, ids,
            model.config().vocabSize(), model.config().vocabSize());
      }
      int limit = Math.min(maxLength, model.config().maxPositionEmbeddings());
      if (maxLength > limit) {
        org.slf4j.LoggerFactory.getLogger(DjlEngine.class).warn("{}: max length {} is above config.json's max_position_embeddings {}: "
            + "inputs are cut to {} tokens", dir, maxLength, limit, limit);
      }
      DjlEngine engine = new DjlEngine(new EngineCore(manager, model, tokenizer, limit, computeType), true, true, true);
      engine.tokenizerLoadSeconds = tokenizerSeconds;
      return engine;
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

  @Override
  public java.util.Optional<TextTokenizer> tokenPieces() {
    return java.util.Optional.of(core.tokenizer);
  }

  @Override
  public java.util.Optional<PassCounts> passCounts() {
    return java.util.Optional.of(new PassCounts() {
      @Override
      public long total() {
        return core.forwardPasses();
      }

      @Override
      public long onThisThread() {
        return core.forwardPassesOnThisThread();
      }
    });
  }

  @Override
  public java.util.Optional<BatchSizing> batchSizing() {
    return java.util.Optional.of(this);
  }

  /** The model's end-of-sequence ids (generation_config.json's when given). */
  public List<Integer> eosTokenIds() {
    return model.config().eosTokenIds();
  }

  /** Seconds the tokenizer took to load (tokenizer.json parsed twice: by the tokenizers library, and for its id count). */
  public double tokenizerLoadSeconds() {
    return tokenizerLoadSeconds;
  }

  /** The model's tokenizer (the token-level API of the command line and the checks). */
  public TextTokenizer tokenizer() {
    return core.tokenizer;
  }

  /** The longest sequence scored at once (the configured maximum, within the model's positions). */
  public int maxLength() {
    return core.maxLength;
  }

  /** Forward passes since load, all threads. */
  public long forwardPasses() {
    return core.forwardPasses();
  }

  /** Forward passes run by the calling thread since load. */
  public long forwardPassesOnThisThread() {
    return core.forwardPassesOnThisThread();
  }

  /** Context and continuation token ids by the harness' rules ({@link HarnessPairEncoding}), checked against the vocabulary. */
  public long[][] encodePair(LoglikelihoodRequest r) {
    return core.encodePair(r);
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
  public List<LoglikelihoodResult> loglikelihood(List<LoglikelihoodRequest> batch, CallOptions options) {
    return loglikelihood(batch, options.shapes());
  }

  public List<LoglikelihoodResult> loglikelihood(List<LoglikelihoodRequest> batch, BatchShapes shapes) {
    return scorer.score(batch, shapes);
  }

  /**
   * Per-position scores of whole token sequences in passes shaped by {@code shapes}: the entries of a request's
   * continuation, summed in order, equal {@link #loglikelihood} without prefix reuse bit for bit (the same pass
   * shapes; docs/bit-identity.md).
   */
  public List<PromptScores> scorePrompts(List<long[]> sequences, BatchShapes shapes) {
    return scorer.scorePrompts(sequences, shapes);
  }

  @Override
  public List<GenerationResult> generate(List<GenerationRequest> batch) {
    return generate(batch, BatchShapes.DEFAULT);
  }

  @Override
  public List<GenerationResult> generate(List<GenerationRequest> batch, CallOptions options) {
    return generate(batch, options.shapes());
  }

  public List<GenerationResult> generate(List<GenerationRequest> batch, BatchShapes shapes) {
    return generator.generate(batch, shapes);
  }

  /**
   * A view of this engine with prefix reuse on or off (off: every request runs its whole context), for benchmarks and
   * checks; it shares the loaded model, is closed with this engine, and leaves this engine's behaviour unchanged.
   */
  public DjlEngine withPrefixReuse(boolean on) {
    return new DjlEngine(core, on, kvCache, false);
  }

  /** A view with the KV cache on or off (off: every step recomputes the whole prefix), as {@link #withPrefixReuse}. */
  public DjlEngine withKvCache(boolean on) {
    return new DjlEngine(core, prefixReuse, on, false);
  }

  @Override
  public void close() {
    if (owner) {
      core.close();
    }
  }
}

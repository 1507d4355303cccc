package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Hugging Face decoder-only checkpoint run with DJL NDArray operations: the layers its {@link Architecture}
 * assembles from the shared ones, in the order transformers' modeling files run them, so that logits agree with the
 * reference implementation. This class owns what every family shares: loading (dtype, the split over devices), the
 * rotary tables and attention masks of a pass, and moving hidden states between the devices of a split model.
 *
 * <p>Compute dtype ({@code float32} or {@code float16}; bfloat16 where the engine's JNI handles it, see
 * {@link DjlEngine#computeType}): weights and activations are held in it, and, as transformers does, norms' variance,
 * the rotary tables, the attention softmax (with the padding bias) and the logits are computed in float32 and cast
 * back, so half precision changes rounding, not the method.
 *
 * <p>Weights live in a manager owned by this object; every forward call must run inside an
 * {@link ai.djl.ndarray.NDScope} opened by the caller, which frees the intermediate arrays.
 */
public final class DecoderModel implements DecoderStack {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DecoderModel.class);
  private final ModelConfig config;
  private final NDManager weightsManager;
  private final Embedder embedder;
  private final List<DecoderBlock> layers;
  private final OutputHead head;
  private final NDArray invFreq;
  private final Compute compute;
  private final LayerSplit split;
  /** The manager of each shard (the first is {@link #weightsManager}); arrays entering a shard are attached to it. */
  private final List<NDManager> shardManagers;
  private final int[] shardOfLayer;

  private DecoderModel(ModelConfig config, NDManager weightsManager, Embedder embedder, List<DecoderBlock> layers, OutputHead head,
                       NDArray invFreq, Compute compute, LayerSplit split, List<NDManager> shardManagers) {
    this.config = config;
    this.weightsManager = weightsManager;
    this.embedder = embedder;
    this.layers = layers;
    this.head = head;
    this.invFreq = invFreq;
    this.compute = compute;
    this.split = split;
    this.shardManagers = shardManagers;
    this.shardOfLayer = new int[layers.size()];
    for (int i = 0; i < layers.size(); i++) {
      shardOfLayer[i] = split.shardOf(i);
    }
  }

  /** Loads {@code config.json} and every {@code *.safetensors} file of a Hugging Face checkpoint directory. */
  public static DecoderModel load(Path dir, NDManager parent) throws IOException {
    return load(dir, parent, DataType.FLOAT32);
  }

  /**
   * As {@link #load(Path, NDManager)}, with weights and activations in {@code dtype} (FLOAT32 or FLOAT16), or with
   * BFLOAT16: matrices (projections, embedding, head, router, experts) held in bf16 and multiplied in bf16 through
   * {@link Bfloat16Ops}, everything else in float32.
   */
  public static DecoderModel load(Path dir, NDManager parent, DataType dtype) throws IOException {
    return load(dir, parent, dtype, List.of());
  }

  /**
   * As {@link #load(Path, NDManager, DataType)}, split by layers over {@code budgets} when there are several and the
   * model does not fit the first ({@link LayerSplit#plan}); {@code parent} must be on the first budget's device. With
   * no budget or one, everything goes on {@code parent}'s device.
   */
  public static DecoderModel load(Path dir, NDManager parent, DataType dtype, List<LayerSplit.DeviceBudget> budgets) throws IOException {
    return load(dir, parent, dtype, budgets, true);
  }

  /**
   * As {@link #load(Path, NDManager, DataType, List)}; {@code mapWeights = false} copies every weight into memory PyTorch
   * owns (the tests compare both: mapped weights must give a copy's bits, see {@link WeightMapping}).
   */
  static DecoderModel load(Path dir, NDManager parent, DataType dtype, List<LayerSplit.DeviceBudget> budgets, boolean mapWeights)
      throws IOException {
    if (dtype != DataType.FLOAT32 && dtype != DataType.BFLOAT16 && dtype != DataType.FLOAT16) {
      throw new IllegalArgumentException("compute dtype must be float32, bfloat16 or float16, not " + dtype);
    }
    ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
    Architecture architecture = config.implementation();
    LayerSplit split = budgets.size() > 1
        ? LayerSplit.plan(config, dtype, budgets)
        : LayerSplit.single(parent.getDevice(), config, dtype);
    SafetensorsCheckpoint index = SafetensorsCheckpoint.open(dir);
    NDManager m = parent.newSubManager();
    long t0 = System.nanoTime();
    // bf16: matrices in bf16, activations (and so norms, biases, KV cache) in float32
    DataType activations = dtype == DataType.BFLOAT16 ? DataType.FLOAT32 : dtype;
    Bfloat16Ops bfloat16 = dtype == DataType.BFLOAT16 ? Bfloat16Ops.load(m) : null;
    try (TensorLoader loader = new TensorLoader(bfloat16, mapWeights)) {
      List<NDManager> shardManagers = new ArrayList<>();
      for (LayerSplit.Shard shard : split.shards()) {
        shardManagers.add(shardManagers.isEmpty() ? m : m.newSubManager(shard.device()));
      }
      Compute compute = new Compute(activations, dtype, bfloat16);
      CheckpointTensors tensors = new CheckpointTensors(index, loader, m, compute, architecture.dimensionKeys(config),
          architecture.prefixStoredWithout(index));
      // checkpoint order, as the tensor table lists them
      Embedder embedder = architecture.embedder(config, tensors);
      List<DecoderBlock> layers = new ArrayList<>();
      for (int i = 0; i < config.numLayers(); i++) {
        layers.add(architecture.layer(config, i, tensors.on(shardManagers.get(split.shardOf(i)))));
      }
      OutputHead head = architecture.head(config, tensors, embedder);
      refuseUnread(index, config, architecture.prefixStoredWithout(index));
      double seconds = (System.nanoTime() - t0) / 1e9;
      LOG.info("{}: {} MB of weights read in {} s ({} MB/s) as {}{}", dir, loader.bytesRead() >> 20, String.format("%.1f", seconds),
          String.format("%.0f", (loader.bytesRead() >> 20) / Math.max(seconds, 1e-9)), dtype,
          loader.bytesMapped() > 0 ? ", " + (loader.bytesMapped() >> 20) + " MB of them mapped (not copied)" : "");
      if (split.isSplit()) {
        LOG.info("{} split by layers over {} devices: {}", dir, split.shards().size(), split.describe());
      }
      NDArray invFreq = m.create(config.rope().inverseFrequencies(config.headDim()));
      return new DecoderModel(config, m, embedder, layers, head, invFreq, compute, split, List.copyOf(shardManagers));
    } catch (UncheckedIOException e) {
      close(m, bfloat16);
      throw e.getCause();
    } catch (RuntimeException e) {
      close(m, bfloat16);
      throw e;
    }
  }

  /** A stored tensor the architecture does not read is an error naming it (see {@link Architecture#isBuffer}). */
  private static void refuseUnread(SafetensorsCheckpoint index, ModelConfig config, String strip) {
    java.util.Set<String> listed = new java.util.HashSet<>();
    for (TensorSpec t : config.tensors()) {
      listed.add(!strip.isEmpty() && t.name().startsWith(strip) ? t.name().substring(strip.length()) : t.name());
    }
    for (String stored : new java.util.TreeSet<>(index.tensorNames())) {
      if (!listed.contains(stored) && !config.implementation().isBuffer(stored)) {
        throw new ModelFormatException(index.fileOf(stored).path(), stored, "a tensor " + config.architecture() + " as configured does "
            + "not read (it would change the computation, so it is not ignored; check config.json, e.g. attention_bias)");
      }
    }
  }

  private static void close(NDManager m, Bfloat16Ops bfloat16) {
    if (bfloat16 != null) {
      bfloat16.close();
    }
    m.close();
  }

  /** Which device runs which layers (one shard unless the model was split). */
  public LayerSplit split() {
    return split;
  }

  /** The manager of a shard: its weights, and the arrays computed on its device during a pass. */
  NDManager shardManager(int shard) {
    return shardManagers.get(shard);
  }

  /** Lowers the attention-score cap so that small test models run their queries in blocks. */
  DecoderModel withAttentionCap(long bytes) {
    compute.attentionCap(bytes);
    return this;
  }

  /** The dtype weights, activations and the KV cache are held in. */
  public DataType dtype() {
    return compute.dtype();
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  @Override
  public KvCache newCache() {
    return new KvCache(layers.size());
  }

  /**
   * Final hidden states (after the final norm), shape (B, T, hidden).
   *
   * @param ids token ids, (B, T) int64
   * @param mask 1 for real tokens, 0 for padding, (B, T) int64
   * @param positions position ids, (B, T) int64 (real tokens count from 0 even under left padding)
   */
  public NDArray hiddenStates(NDArray ids, NDArray mask, NDArray positions) {
    return hiddenStates(ids, mask, positions, null);
  }

  /**
   * Hidden states of the new tokens {@code ids} (B, Tq), attending to the cached tokens as well.
   *
   * @param mask 1/0 for every key, cached ones first: (B, past + Tq)
   * @param cache keys and values of earlier tokens, extended with these; null for a cache-free pass
   */
  @Override
  public NDArray hiddenStates(NDArray ids, NDArray mask, NDArray positions, KvCache cache) {
    long b = ids.getShape().get(0);
    long t = ids.getShape().get(1);
    long past = cache == null ? 0 : cache.length();
    NDArray x = embedder.apply(ids, positions);
    NDArray[] rope = config.implementation().rotary().tables(positions, invFreq, config.rope().attentionScaling(), compute.dtype());
    return runLayers(x, new Pass(b, t, rope[0], rope[1], biases(mask, b, t, past)), cache);
  }

  /**
   * One additive mask per distinct sliding window (layers of Qwen2 or Gemma-style models may differ), made once a pass
   * for its rows; see {@link #attentionBias}.
   */
  private Map<Integer, NDArray> biases(NDArray mask, long b, long t, long past) {
    Map<Integer, NDArray> biases = new TreeMap<>();
    for (int window : new TreeSet<>(config.layerWindows())) {
      biases.put(window, attentionBias(mask, b, t, past, window));
    }
    return biases;
  }

  /**
   * The decoder layers over {@code x}, then the final norm. Crossing to a split model's next device, the hidden
   * states and the pass's tables and masks go with them; the result is on the first device.
   */
  private NDArray runLayers(NDArray x, Pass pass, KvCache cache) {
    int shard = 0;
    for (int i = 0; i < layers.size(); i++) {
      if (shardOfLayer[i] != shard) {
        shard = shardOfLayer[i];
        NDManager there = shardManagers.get(shard);
        x = onShard(x, there);
        pass = pass.movedTo(a -> onShard(a, there));
      }
      // A layer's intermediates (norms, projections, rotary, MLP: ~15 hidden-sized and 4 intermediate-sized arrays
      // per token) are freed when the layer ends, not when the pass does: over the layers they held gigabytes (the
      // 50M model at 8 × 512 tokens: 1.7 GB). Only the layer's output leaves its scope (the previous one is closed);
      // the KV cache takes its own arrays out.
      NDArray next;
      try (NDScope layerScope = new NDScope()) {
        layerScope.suppressNotUsedWarning();
        next = layers.get(i).apply(x, pass, cache, i);
        NDScope.unregister(next);
      }
      NDScope.register(next);
      x.close(); // the previous hidden states (closing twice is harmless: the pass's scope closes it again)
      x = next;
    }
    if (shard != 0) {
      // back to the first device, where the final norm and the LM head live and the engine reads its rows
      x = onShard(x, shardManagers.get(0));
    }
    return head.finalNorm().apply(x);
  }

  @Override
  public boolean decodesInLanes() {
    return true;
  }

  /**
   * One decoding step of several groups of sequences at once: {@code ids} and {@code positions} (L, 1) hold one new
   * token per row; the norms, projections and feed-forward layers run over all L rows in one go (one read of the
   * weights for every group), and each group attends over its own cache. Rows after the last group are empty slots.
   *
   * @param groups per group, its rows {@code [from, to)} (consecutive from row 0), its cache and its key mask
   *     (rows, past + 1), cached keys first
   */
  @Override
  public NDArray decodeStep(NDArray ids, NDArray positions, List<StepGroup> groups) {
    long rows = ids.getShape().get(0);
    NDArray x = embedder.apply(ids, positions);
    NDArray[] rope = config.implementation().rotary().tables(positions, invFreq, config.rope().attentionScaling(), compute.dtype());
    List<Pass.Segment> segments = new ArrayList<>();
    for (StepGroup g : groups) {
      segments.add(new Pass.Segment(g.from(), g.to(), g.cache(), biases(g.mask(), g.to() - g.from(), 1, g.cache().length())));
    }
    return runLayers(x, new Pass(rows, 1, rope[0], rope[1], Map.of(), segments), null);
  }

  /** Logits of the LM head for hidden rows of shape (N, hidden): (N, vocab), float32. */
  @Override
  public NDArray logits(NDArray hidden) {
    return head.logits(hidden);
  }

  /**
   * A copy of {@code x} on the shard's device, attached to the shard's manager, so that the operations that follow
   * (whose results join their input's manager) and the KV cache entries they make stay on that device. Always a copy,
   * even between two shards on one device, so the path is the same wherever the shards are.
   */
  private static NDArray onShard(NDArray x, NDManager shard) {
    NDArray moved = x.toDevice(shard.getDevice(), true);
    moved.attach(shard);
    return moved;
  }

  /**
   * Additive bias (B, 1, Tq, past + Tq): 0 where a query may attend (causal — query i sits at position
   * past + i — and not padding), float32 min elsewhere.
   */
  private static NDArray attentionBias(NDArray mask, long b, long t, long past, int window) {
    NDManager m = mask.getManager();
    long tk = past + t;
    boolean[] causal = new boolean[(int) (t * tk)];
    for (int i = 0; i < t; i++) {
      // a sliding window keeps the last `window` keys, the query's own included
      long first = window > 0 ? Math.max(0, past + i - window + 1) : 0;
      for (long j = first; j <= past + i; j++) {
        causal[(int) (i * tk + j)] = true;
      }
    }
    NDArray allowed = m.create(causal, new Shape(1, 1, t, tk))
        .logicalAnd(mask.eq(1).reshape(b, 1, 1, tk));
    return allowed.logicalNot().toType(DataType.FLOAT32, false).mul(-Float.MAX_VALUE);
  }

  @Override
  public void close() {
    weightsManager.close();
    if (compute.bfloat16() != null) {
      compute.bfloat16().close();
    }
  }
}

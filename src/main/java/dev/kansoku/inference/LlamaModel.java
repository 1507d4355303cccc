package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code LlamaForCausalLM} forward pass written with DJL NDArray operations: token embedding, per layer
 * RMSNorm → grouped-query self-attention with rotary position embeddings → residual → RMSNorm → SwiGLU MLP →
 * residual, a final RMSNorm and the (tied or untied) LM head. It mirrors transformers' modeling_llama so
 * that logits agree with the reference implementation; the architectures that share the block (Mistral, Qwen2,
 * Mixtral, Cohere's parallel variant, and GPT-2 with LayerNorm, learned positions and a GELU MLP: see
 * {@link LlamaConfig.BlockStyle}) run through the same pass.
 *
 * <p>Compute dtype ({@code float32} or {@code float16}; bfloat16 where the engine's JNI handles it, see
 * {@link LlamaEngine#computeType}): weights and activations are held in it,
 * and, as transformers does, RMSNorm's variance, the rotary tables, the attention softmax (with the padding bias)
 * and the logits are computed in float32 and cast back, so half precision changes rounding, not the method.
 *
 * <p>Weights live in a manager owned by this object; every forward call must run inside an
 * {@link ai.djl.ndarray.NDScope} opened by the caller, which frees the intermediate arrays.
 */
public final class LlamaModel implements DecoderStack {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LlamaModel.class);
  private final LlamaConfig config;
  private final NDManager weightsManager;
  private final NDArray embed;
  /** GPT-2's learned position vectors (n_positions, hidden); null for rotary models. */
  private final NDArray positionEmbed;
  private final NDArray lmHead;
  private final NormWeights finalNorm;
  private final NDArray invFreq;
  private final List<Layer> layers;
  private final DataType dtype;
  /** Bytes of attention scores one block of queries may hold ({@link LlamaEngine#ATTENTION_BYTES}; lowered by tests). */
  private long attentionCap = LlamaEngine.ATTENTION_BYTES;
  /** With bf16 weights: the module that holds and multiplies them ({@link Bfloat16Ops}); null otherwise. */
  private final Bfloat16Ops bfloat16;
  private final LayerSplit split;
  /** The manager of each shard (the first is {@link #weightsManager}); arrays entering a shard are attached to it. */
  private final List<NDManager> shardManagers;
  private final int[] shardOfLayer;

  /**
   * One decoder layer: attention from q, k, v (or GPT-2's fused {@code qkv}) and o; a dense MLP (gate, up, down;
   * GPT-2: up = c_fc, down = c_proj, no gate) or, for Mixtral, a router and experts. {@code postNorm} is null for
   * Cohere's parallel block.
   */
  private record Layer(NormWeights inputNorm, Projection qkv, Projection q, Projection k, Projection v, Projection o,
                       NormWeights postNorm, Projection gate, Projection up, Projection down, NDArray router,
                       List<Expert> experts) {}

  /** A Mixtral expert: a SwiGLU MLP, w2(silu(w1 x) · w3 x). */
  private record Expert(Projection w1, Projection w3, Projection w2) {}

  /** A norm's weight and, for LayerNorm, its bias (null otherwise). */
  private record NormWeights(NDArray weight, NDArray bias) {}

  /**
   * A linear map with an optional bias, nn.Linear's x Wᵀ + b with W held [out, in]. GPT-2's Conv1D weights, stored
   * [in, out], are transposed while loading: PyTorch's CPU matmul for float16 has no fast kernel for a contiguous
   * right operand (measured: x W 15–20× slower than x Wᵀ at 1,024 × 3,072, and Fugaku-13B-shaped generation stalled).
   */
  private record Projection(NDArray weight, NDArray bias, Bfloat16Ops bfloat16) {
    NDArray apply(NDArray x) {
      if (bfloat16 == null) {
        return linear(x, weight, bias);
      }
      NDArray y = bfloat16.linear(x, weight);
      return bias == null ? y : y.add(bias);
    }
  }

  private LlamaModel(LlamaConfig config, NDManager weightsManager, NDArray embed, NDArray positionEmbed, NDArray lmHead,
                     NormWeights finalNorm, NDArray invFreq, List<Layer> layers, DataType dtype,
                     LayerSplit split, List<NDManager> shardManagers, Bfloat16Ops bfloat16) {
    this.dtype = dtype;
    this.bfloat16 = bfloat16;
    this.split = split;
    this.shardManagers = shardManagers;
    this.shardOfLayer = new int[layers.size()];
    for (int i = 0; i < layers.size(); i++) {
      shardOfLayer[i] = split.shardOf(i);
    }
    this.config = config;
    this.weightsManager = weightsManager;
    this.embed = embed;
    this.positionEmbed = positionEmbed;
    this.lmHead = lmHead;
    this.finalNorm = finalNorm;
    this.invFreq = invFreq;
    this.layers = layers;
  }

  /** Loads {@code config.json} and every {@code *.safetensors} file of a Hugging Face checkpoint directory. */
  public static LlamaModel load(Path dir, NDManager parent) throws IOException {
    return load(dir, parent, DataType.FLOAT32);
  }

  /**
   * As {@link #load(Path, NDManager)}, with weights and activations in {@code dtype} (FLOAT32 or FLOAT16), or with
   * BFLOAT16: matrices (projections, embedding, head, router, experts) held in bf16 and multiplied in bf16 through
   * {@link Bfloat16Ops}, everything else in float32.
   */
  public static LlamaModel load(Path dir, NDManager parent, DataType dtype) throws IOException {
    return load(dir, parent, dtype, List.of());
  }

  /**
   * As {@link #load(Path, NDManager, DataType)}, split by layers over {@code budgets} when there are several and the
   * model does not fit the first ({@link LayerSplit#plan}); {@code parent} must be on the first budget's device. With
   * no budget or one, everything goes on {@code parent}'s device.
   */
  public static LlamaModel load(Path dir, NDManager parent, DataType dtype, List<LayerSplit.DeviceBudget> budgets) throws IOException {
    if (dtype != DataType.FLOAT32 && dtype != DataType.BFLOAT16 && dtype != DataType.FLOAT16) {
      throw new IllegalArgumentException("compute dtype must be float32, bfloat16 or float16, not " + dtype);
    }
    LlamaConfig config = LlamaConfig.read(dir.resolve("config.json"));
    LayerSplit split = budgets.size() > 1
        ? LayerSplit.plan(config, dtype, budgets)
        : LayerSplit.single(parent.getDevice(), config, dtype);
    SafetensorsCheckpoint index = SafetensorsCheckpoint.open(dir);
    NDManager m = parent.newSubManager();
    long t0 = System.nanoTime();
    // bf16: matrices in bf16, activations (and so norms, biases, KV cache) in float32
    DataType activations = dtype == DataType.BFLOAT16 ? DataType.FLOAT32 : dtype;
    Bfloat16Ops bfloat16 = dtype == DataType.BFLOAT16 ? Bfloat16Ops.load(m) : null;
    try (TensorLoader loader = new TensorLoader(bfloat16)) {
      List<NDManager> shardManagers = new ArrayList<>();
      for (LayerSplit.Shard shard : split.shards()) {
        shardManagers.add(shardManagers.isEmpty() ? m : m.newSubManager(shard.device()));
      }
      Precision precision = new Precision(dtype, activations, bfloat16);
      Weights weights = config.isGpt2() ? new Gpt2Weights(index, loader, precision, config) : new LlamaWeights(index, loader, precision, config);
      NDArray embed = weights.embedding(m);
      // tied: the LM head is the embedding matrix; untied: lm_head.weight must be in the checkpoint
      NDArray head = config.tieWordEmbeddings() ? embed : weights.on(m).matrix("lm_head.weight", config.vocabSize(), config.hiddenSize());
      List<Layer> layers = new ArrayList<>();
      for (int i = 0; i < config.numLayers(); i++) {
        layers.add(weights.layer(i, shardManagers.get(split.shardOf(i))));
      }
      NormWeights norm = weights.finalNorm(m);
      NDArray positionEmbed = weights.positionEmbedding(m);
      double seconds = (System.nanoTime() - t0) / 1e9;
      LOG.info("{}: {} MB of weights read in {} s ({} MB/s) as {}", dir, loader.bytesRead() >> 20, String.format("%.1f", seconds),
          String.format("%.0f", (loader.bytesRead() >> 20) / Math.max(seconds, 1e-9)), dtype);
      if (split.isSplit()) {
        LOG.info("{} split by layers over {} devices: {}", dir, split.shards().size(), split.describe());
      }
      return new LlamaModel(config, m, embed, positionEmbed, head, norm, inverseFrequencies(m, config), layers, activations, split,
          List.copyOf(shardManagers), bfloat16);
    } catch (RuntimeException | IOException e) {
      if (bfloat16 != null) {
        bfloat16.close();
      }
      m.close();
      throw e;
    }
  }

  /** inv_freq as transformers computes it ({@link RotaryParameters#inverseFrequencies}). */
  private static NDArray inverseFrequencies(NDManager m, LlamaConfig c) {
    return m.create(c.rope().inverseFrequencies(c.headDim()));
  }

  /** Which config.json keys give each tensor dimension, to name them when a weight's shape disagrees. */
  private static Map<Long, String> dimensionKeys(LlamaConfig c) {
    Map<Long, String> keys = new java.util.LinkedHashMap<>();
    java.util.function.BiConsumer<Long, String> add = (v, k) -> keys.merge(v, k, (a, b) -> a + " or " + b);
    if (c.isGpt2()) {
      add.accept((long) c.hiddenSize(), "n_embd");
      add.accept((long) c.vocabSize(), "vocab_size");
      add.accept((long) c.intermediateSize(), "n_inner (null: 4 × n_embd)");
      add.accept((long) c.maxPositionEmbeddings(), "n_positions");
      add.accept(3L * c.hiddenSize(), "3 × n_embd");
      return keys;
    }
    add.accept((long) c.hiddenSize(), "hidden_size");
    add.accept((long) c.vocabSize(), "vocab_size");
    add.accept((long) c.intermediateSize(), "intermediate_size");
    add.accept((long) c.numHeads() * c.headDim(), "num_attention_heads × head_dim");
    add.accept((long) c.numKvHeads() * c.headDim(), "num_key_value_heads × head_dim");
    if (c.numExperts() > 0) {
      add.accept((long) c.numExperts(), "num_local_experts");
    }
    return keys;
  }

  /**
   * The dtypes weights are held in: matrices (projections, embeddings, head, router) and the rest (norms, biases,
   * position vectors, as the activations); different only for bf16, whose matrices {@code bfloat16} holds.
   */
  private record Precision(DataType matrices, DataType activations, Bfloat16Ops bfloat16) {}

  /** Reads one architecture family's tensors by their checkpoint names into a layer's manager. */
  private abstract static class Weights {
    final SafetensorsCheckpoint index;
    final TensorLoader loader;
    final Precision precision;
    final LlamaConfig config;

    Weights(SafetensorsCheckpoint index, TensorLoader loader, Precision precision, LlamaConfig config) {
      this.index = index;
      this.loader = loader;
      this.precision = precision;
      this.config = config;
    }

    WeightLoader on(NDManager manager) {
      return new WeightLoader(index, loader, manager, precision, dimensionKeys(config), "");
    }

    abstract NDArray embedding(NDManager m) throws IOException;

    abstract NDArray positionEmbedding(NDManager m) throws IOException;

    abstract Layer layer(int i, NDManager m) throws IOException;

    abstract NormWeights finalNorm(NDManager m) throws IOException;
  }

  /** Llama, Mistral, Qwen2, Mixtral and Cohere: nn.Linear weights under {@code model.}. */
  private static final class LlamaWeights extends Weights {
    LlamaWeights(SafetensorsCheckpoint index, TensorLoader loader, Precision precision, LlamaConfig config) {
      super(index, loader, precision, config);
    }

    @Override
    NDArray embedding(NDManager m) throws IOException {
      return on(m).matrix("model.embed_tokens.weight", config.vocabSize(), config.hiddenSize());
    }

    @Override
    NDArray positionEmbedding(NDManager m) {
      return null;
    }

    @Override
    NormWeights finalNorm(NDManager m) throws IOException {
      return new NormWeights(on(m).load("model.norm.weight", config.hiddenSize()), null);
    }

    @Override
    Layer layer(int i, NDManager m) throws IOException {
      WeightLoader w = on(m);
      int d = config.hiddenSize();
      int inner = config.intermediateSize();
      int qDim = config.numHeads() * config.headDim();
      int kvDim = config.numKvHeads() * config.headDim();
      String p = LlamaTensors.layerPrefix(config, i);
      boolean bias = config.attentionBias();
      NDArray router = null;
      List<Expert> experts = null;
      if (config.isMixtureOfExperts()) {
        router = w.matrix(p + "block_sparse_moe.gate.weight", config.numExperts(), d);
        experts = new ArrayList<>();
        for (int e = 0; e < config.numExperts(); e++) {
          String q = p + "block_sparse_moe.experts." + e + ".";
          experts.add(new Expert(w.linear(q + "w1", false, inner, d), w.linear(q + "w3", false, inner, d),
              w.linear(q + "w2", false, d, inner)));
        }
      }
      boolean dense = router == null;
      return new Layer(
          new NormWeights(w.load(p + "input_layernorm.weight", d), null),
          null,
          w.linear(p + "self_attn.q_proj", bias, qDim, d),
          w.linear(p + "self_attn.k_proj", bias, kvDim, d),
          w.linear(p + "self_attn.v_proj", bias, kvDim, d),
          w.linear(p + "self_attn.o_proj", false, d, qDim),
          config.block().parallelResidual() ? null : new NormWeights(w.load(p + "post_attention_layernorm.weight", d), null),
          dense ? w.linear(p + "mlp.gate_proj", false, inner, d) : null,
          dense ? w.linear(p + "mlp.up_proj", false, inner, d) : null,
          dense ? w.linear(p + "mlp.down_proj", false, d, inner) : null,
          router, experts);
    }
  }

  /**
   * GPT2LMHeadModel: names under {@code transformer.} (or bare, as OpenAI's own gpt2 checkpoint stores them),
   * Conv1D weights [in, out] kept as stored, query/key/value fused in {@code c_attn}, LayerNorms with biases.
   */
  private static final class Gpt2Weights extends Weights {
    private final String prefix;

    Gpt2Weights(SafetensorsCheckpoint index, TensorLoader loader, Precision precision, LlamaConfig config) {
      super(index, loader, precision, config);
      this.prefix = index.fileOf(LlamaTensors.GPT2_PREFIX + "wte.weight") == null && index.fileOf("wte.weight") != null
          ? "" : LlamaTensors.GPT2_PREFIX;
    }

    @Override
    WeightLoader on(NDManager manager) {
      // the names LlamaTensors lists, read without "transformer." from a bare checkpoint
      return new WeightLoader(index, loader, manager, precision, dimensionKeys(config),
          prefix.isEmpty() ? LlamaTensors.GPT2_PREFIX : "");
    }

    @Override
    NDArray embedding(NDManager m) throws IOException {
      return on(m).matrix(LlamaTensors.GPT2_PREFIX + "wte.weight", config.vocabSize(), config.hiddenSize());
    }

    @Override
    NDArray positionEmbedding(NDManager m) throws IOException {
      return on(m).load(LlamaTensors.GPT2_PREFIX + "wpe.weight", config.maxPositionEmbeddings(), config.hiddenSize());
    }

    @Override
    NormWeights finalNorm(NDManager m) throws IOException {
      return on(m).layerNorm(LlamaTensors.GPT2_PREFIX + "ln_f", config.hiddenSize());
    }

    @Override
    Layer layer(int i, NDManager m) throws IOException {
      WeightLoader w = on(m);
      int d = config.hiddenSize();
      int inner = config.intermediateSize();
      String p = LlamaTensors.layerPrefix(config, i);
      return new Layer(w.layerNorm(p + "ln_1", d), w.conv1d(p + "attn.c_attn", d, 3 * d), null, null, null,
          w.conv1d(p + "attn.c_proj", d, d), w.layerNorm(p + "ln_2", d), null,
          w.conv1d(p + "mlp.c_fc", d, inner), w.conv1d(p + "mlp.c_proj", inner, d), null, null);
    }
  }

  /**
   * Loads tensors checked against the shapes config.json implies; {@code strip} is a prefix of the listed names that
   * this checkpoint stores without.
   */
  private record WeightLoader(SafetensorsCheckpoint index, TensorLoader loader, NDManager manager, Precision precision,
                              Map<Long, String> keys, String strip) {
    Projection linear(String name, boolean bias, long out, long in) throws IOException {
      return new Projection(matrix(name + ".weight", out, in), bias ? load(name + ".bias", out) : null, precision.bfloat16());
    }

    /** GPT-2's Conv1D: weight stored [in, out], held transposed as a Linear's [out, in] (see {@link Projection}). */
    Projection conv1d(String name, long in, long out) throws IOException {
      return new Projection(load(name + ".weight", precision.matrices(), true, in, out), load(name + ".bias", out), precision.bfloat16());
    }

    /** A matrix that is multiplied (or looked up) in the matrices' dtype. */
    NDArray matrix(String listed, long... shape) throws IOException {
      return load(listed, precision.matrices(), false, shape);
    }

    NormWeights layerNorm(String name, long d) throws IOException {
      return new NormWeights(load(name + ".weight", d), load(name + ".bias", d));
    }

    /** A tensor in the activations' dtype (norms, biases, position vectors). */
    NDArray load(String listed, long... shape) throws IOException {
      return load(listed, precision.activations(), false, shape);
    }

    /** {@code shape} is the stored one; with {@code transpose}, a 2-D tensor is held [shape[1], shape[0]]. */
    NDArray load(String listed, DataType dtype, boolean transpose, long... shape) throws IOException {
      String name = !strip.isEmpty() && listed.startsWith(strip) ? listed.substring(strip.length()) : listed;
      SafetensorsFile file = index.fileOf(name);
      if (file == null) {
        throw new ModelFormatException(Files.isRegularFile(index.dir().resolve(SafetensorsCheckpoint.INDEX))
            ? index.dir().resolve(SafetensorsCheckpoint.INDEX) : index.dir(), name, "tensor missing from the checkpoint");
      }
      long[] actual = file.tensors().get(name).shape();
      if (!java.util.Arrays.equals(actual, shape)) {
        StringBuilder which = new StringBuilder();
        for (int i = 0; i < Math.min(actual.length, shape.length); i++) {
          if (actual[i] != shape[i]) {
            which.append(which.length() == 0 ? "" : "; ").append("dimension ").append(i).append(" is ").append(actual[i]).append(" but ")
                .append(keys.getOrDefault(shape[i], "config.json")).append(" gives ").append(shape[i]);
          }
        }
        throw new ModelFormatException(file.path(), name, "shape " + java.util.Arrays.toString(actual)
            + " does not match config.json, which implies " + java.util.Arrays.toString(shape)
            + (which.length() > 0 ? " (" + which + ")" : " (another number of dimensions)"));
      }
      return transpose ? loader.loadTransposed(file, name, manager, dtype) : loader.load(file, name, manager, dtype);
    }
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
  LlamaModel withAttentionCap(long bytes) {
    this.attentionCap = bytes;
    return this;
  }

  /** The dtype weights, activations and the KV cache are held in. */
  public DataType dtype() {
    return dtype;
  }

  @Override
  public LlamaConfig config() {
    return config;
  }

  @Override
  public KvCache newCache() {
    return new KvCache(layers.size());
  }

  /**
   * Final hidden states (after the last RMSNorm), shape (B, T, hidden).
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
    NDArray x = bfloat16 != null ? bfloat16.embedding(ids, embed)
        : ids.getNDArrayInternal().embedding(ids, embed, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
    if (positionEmbed != null) {
      // GPT-2: wte[ids] + wpe[positions]. Real tokens stay below n_positions (the engine cuts to it); padding columns
      // may be numbered past it, and are clamped so that they index a vector (their outputs are never read)
      NDArray clamped = positions.clip(0, config.maxPositionEmbeddings() - 1);
      x = x.add(ids.getNDArrayInternal().embedding(clamped, positionEmbed, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow());
    }
    NDArray[] rope = positionEmbed != null ? new NDArray[] {null, null} : rotaryTables(positions);
    // one additive mask per distinct window (layers of Qwen2 or Gemma-style models may differ), made once a pass
    Map<Integer, NDArray> biases = new java.util.TreeMap<>();
    for (int window : new java.util.TreeSet<>(config.layerWindows())) {
      biases.put(window, attentionBias(mask, b, t, past, window));
    }
    NDArray cos = rope[0];
    NDArray sin = rope[1];
    Map<Integer, NDArray> bias = biases;
    int shard = 0;
    for (int i = 0; i < layers.size(); i++) {
      if (shardOfLayer[i] != shard) {
        // crossing to the next device: the hidden states and this pass's rotary tables and mask go with them
        shard = shardOfLayer[i];
        NDManager there = shardManagers.get(shard);
        x = onShard(x, there);
        cos = rope[0] == null ? null : onShard(rope[0], there);
        sin = rope[1] == null ? null : onShard(rope[1], there);
        bias = new java.util.TreeMap<>();
        for (Map.Entry<Integer, NDArray> e : biases.entrySet()) {
          bias.put(e.getKey(), onShard(e.getValue(), there));
        }
      }
      // A layer's intermediates (norms, projections, rotary, MLP: ~15 hidden-sized and 4 intermediate-sized arrays
      // per token) are freed when the layer ends, not when the pass does: over the layers they held gigabytes (the
      // 50M model at 8 × 512 tokens: 1.7 GB). Only the layer's output leaves its scope (the previous one is closed);
      // the KV cache takes its own arrays out.
      NDArray next;
      try (NDScope layerScope = new NDScope()) {
        layerScope.suppressNotUsedWarning();
        next = layer(x, layers.get(i), cos, sin, bias.get(config.windowOf(i)), b, t, cache, i);
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
    return norm(x, finalNorm);
  }

  private NDArray mlp(NDArray h, Layer layer) {
    if (layer.router() != null) {
      return mixtureOfExperts(h, layer);
    }
    return switch (config.block().mlp()) {
      case SWIGLU -> swiGlu(h, layer.gate(), layer.up(), layer.down());
      // GPT2MLP: c_proj(act(c_fc(x)))
      case GELU -> layer.down().apply(layer.up().apply(h).getNDArrayInternal().gelu());
      case GELU_TANH -> layer.down().apply(geluTanh(layer.up().apply(h)));
    };
  }

  /** transformers' NewGELUActivation: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))). */
  private static NDArray geluTanh(NDArray x) {
    NDArray inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI));
    return x.mul(0.5).mul(inner.tanh().add(1.0));
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

  private static NDArray swiGlu(NDArray h, Projection gate, Projection up, Projection down) {
    return down.apply(Activation.swish(gate.apply(h), 1f).mul(up.apply(h)));
  }

  /**
   * Mixtral's sparse MoE block: router softmax over experts, the top k per token renormalised to sum to 1,
   * each expert run only on the tokens routed to it, outputs summed per token with their weights. Routing is
   * decided on the host from the (tokens × experts) probabilities, a few numbers per token.
   */
  private NDArray mixtureOfExperts(NDArray h, Layer layer) {
    Shape shape = h.getShape();
    long d = shape.get(shape.dimension() - 1);
    NDArray flat = h.reshape(-1, d);
    int n = (int) flat.getShape().get(0);
    int experts = config.numExperts();
    int k = config.expertsPerToken();
    NDArray routerLogits = bfloat16 != null ? bfloat16.linear(flat, layer.router()) : linear(flat, layer.router(), null);
    float[] probs = routerLogits.toType(DataType.FLOAT32, false).softmax(1).toFloatArray();
    List<List<Long>> rows = new ArrayList<>();
    List<List<Float>> weights = new ArrayList<>();
    for (int e = 0; e < experts; e++) {
      rows.add(new ArrayList<>());
      weights.add(new ArrayList<>());
    }
    int[][] chosen = new int[n][k];
    int[][] position = new int[n][k];
    for (int t = 0; t < n; t++) {
      boolean[] taken = new boolean[experts];
      double total = 0;
      for (int r = 0; r < k; r++) {
        int best = -1;
        for (int e = 0; e < experts; e++) {
          if (!taken[e] && (best < 0 || probs[t * experts + e] > probs[t * experts + best])) {
            best = e;
          }
        }
        taken[best] = true;
        chosen[t][r] = best;
        total += probs[t * experts + best];
      }
      for (int r = 0; r < k; r++) {
        int e = chosen[t][r];
        position[t][r] = rows.get(e).size();
        rows.get(e).add((long) t);
        weights.get(e).add((float) (probs[t * experts + e] / total));
      }
    }
    NDManager m = h.getManager();
    ai.djl.ndarray.NDList outputs = new ai.djl.ndarray.NDList();
    int[] offset = new int[experts];
    int next = 0;
    for (int e = 0; e < experts; e++) {
      offset[e] = next;
      if (rows.get(e).isEmpty()) {
        continue;
      }
      next += rows.get(e).size();
      Expert ex = layer.experts().get(e);
      NDArray x = flat.get(m.create(rows.get(e).stream().mapToLong(Long::longValue).toArray()));
      float[] w = new float[weights.get(e).size()];
      for (int i = 0; i < w.length; i++) {
        w[i] = weights.get(e).get(i);
      }
      outputs.add(swiGlu(x, ex.w1(), ex.w3(), ex.w2()).mul(m.create(w).reshape(-1, 1).toType(dtype, false)));
    }
    long[] gather = new long[n * k];
    for (int t = 0; t < n; t++) {
      for (int r = 0; r < k; r++) {
        gather[t * k + r] = offset[chosen[t][r]] + position[t][r];
      }
    }
    NDArray all = outputs.size() == 1 ? outputs.head() : ai.djl.ndarray.NDArrays.concat(outputs, 0);
    return all.get(m.create(gather)).reshape(n, k, d).sum(new int[] {1}).reshape(shape);
  }

  /** Logits of the LM head for hidden rows of shape (N, hidden): (N, vocab). */
  @Override
  public NDArray logits(NDArray hidden) {
    // transformers returns float32 logits whatever the compute dtype; Cohere scales them first, in the compute dtype
    NDArray logits = bfloat16 != null ? bfloat16.linear(hidden, lmHead) : linear(hidden, lmHead, null);
    double scale = config.block().logitScale();
    return (scale == 1.0 ? logits : logits.mul(scale)).toType(DataType.FLOAT32, false);
  }

  /** One decoder layer on hidden states {@code x}: the new hidden states. */
  private NDArray layer(NDArray x, Layer layer, NDArray cos, NDArray sin, NDArray bias, long b, long t, KvCache cache, int i) {
    NDArray h = norm(x, layer.inputNorm());
    if (config.block().parallelResidual()) {
      // CohereDecoderLayer: residual + attention(h) + mlp(h), both from the one norm
      return x.add(attention(h, layer, cos, sin, bias, b, t, cache, i)).add(mlp(h, layer));
    }
    NDArray afterAttention = x.add(attention(h, layer, cos, sin, bias, b, t, cache, i));
    return afterAttention.add(mlp(norm(afterAttention, layer.postNorm()), layer));
  }

  private NDArray attention(NDArray h, Layer layer, NDArray cos, NDArray sin, NDArray bias, long b, long t,
                            KvCache cache, int layerIndex) {
    int hd = config.headDim();
    int heads = config.numHeads();
    int kvHeads = config.numKvHeads();
    NDArray q;
    NDArray k;
    NDArray v;
    if (layer.qkv() != null) {
      // GPT-2's c_attn: one projection, split into query, key and value along the last dimension
      NDArray fused = layer.qkv().apply(h);
      long d = (long) heads * hd;
      q = fused.get(new NDIndex("..., :{}", d));
      k = fused.get(new NDIndex("..., {}:{}", d, 2 * d));
      v = fused.get(new NDIndex("..., {}:", 2 * d));
    } else {
      q = layer.q().apply(h);
      k = layer.k().apply(h);
      v = layer.v().apply(h);
    }
    q = q.reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
    k = k.reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
    v = v.reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
    switch (config.block().positions()) {
      case ROTARY_HALVES -> {
        q = applyRotary(q, cos, sin);
        k = applyRotary(k, cos, sin);
      }
      case ROTARY_INTERLEAVED -> {
        q = applyInterleavedRotary(q, cos, sin);
        k = applyInterleavedRotary(k, cos, sin);
      }
      case LEARNED -> { }
    }
    if (cache != null) {
      if (cache.key(layerIndex) != null) {
        k = cache.key(layerIndex).concat(k, 2);
        v = cache.value(layerIndex).concat(v, 2);
      }
      cache.put(layerIndex, k, v);
    }
    long tk = k.getShape().get(2);
    if (kvHeads != heads) {
      // repeat_kv: query head i reads key/value head i / (heads / kvHeads)
      int rep = heads / kvHeads;
      k = k.expandDims(2).broadcast(b, kvHeads, rep, tk, hd).reshape(b, heads, tk, hd);
      v = v.expandDims(2).broadcast(b, kvHeads, rep, tk, hd).reshape(b, heads, tk, hd);
    }
    // The scores are the pass's largest arrays (rows × heads × queries × keys): each is closed as soon as the next
    // step exists, and scaled and biased in place, so a layer holds at most two of them and none outlives its layer
    // (left to the pass's manager they piled up over the layers: 4 per layer, 20 GB at 4,096 tokens on the 50M
    // model). In-place and out-of-place element-wise ops give the same bits.
    NDArray kT = k.transpose(0, 1, 3, 2);
    long chunk = queryChunk(b, heads, t, tk, attentionCap);
    NDArray mixed;
    if (chunk >= t) {
      mixed = attend(q, kT, v, bias, hd);
    } else {
      // one row's scores alone exceed the cap (a 7B-class model's 32 heads at 4,096 tokens: 2.1 GB): the queries
      // run in blocks, each against every key; softmax is per query, so the blocks' results are the same numbers
      List<NDArray> parts = new ArrayList<>();
      for (long from = 0; from < t; from += chunk) {
        long to = Math.min(t, from + chunk);
        String rows = ":, :, " + from + ":" + to;
        parts.add(attend(q.get(new NDIndex(rows)), kT, v, bias.get(new NDIndex(rows)), hd));
      }
      mixed = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(parts), 2);
      for (NDArray part : parts) {
        part.close();
      }
    }
    NDArray out = mixed.transpose(0, 2, 1, 3).reshape(b, t, (long) heads * hd);
    return layer.o().apply(out);
  }

  /**
   * Queries per block so that a block's float32 scores (rows × heads × queries × keys) stay under
   * {@link LlamaEngine#ATTENTION_BYTES}: a function of the pass's canonical shape only (rows, heads, width), so a
   * response's bits still depend on its own request alone. A multiple of 16 (the bucket step) unless fewer fit.
   */
  static long queryChunk(long rows, long heads, long queries, long keys, long cap) {
    long perQuery = rows * heads * keys * 4;
    long fit = Math.max(1, cap / Math.max(1, perQuery));
    return fit >= queries ? queries : fit >= 16 ? fit / 16 * 16 : fit;
  }

  /** softmax(q kᵀ / √d + bias) v for a block of queries. */
  private NDArray attend(NDArray q, NDArray kT, NDArray v, NDArray bias, int hd) {
    NDArray scores = q.matMul(kT);
    scores.muli(1.0 / Math.sqrt(hd));
    // softmax in float32 with a float32 bias (transformers' eager attention: softmax(..., dtype=float32).to(dtype));
    // the bias stays finite there, so a fully masked padding row of a half-precision batch never turns into NaN
    NDArray scores32 = closingOther(scores, scores.toType(DataType.FLOAT32, false));
    scores32.addi(bias);
    NDArray probs32 = scores32.softmax(-1);
    scores32.close();
    NDArray probs = closingOther(probs32, probs32.toType(dtype, false));
    NDArray mixed = probs.matMul(v);
    probs.close();
    return mixed;
  }

  /** {@code converted}, closing {@code original} when the conversion made a new array. */
  private static NDArray closingOther(NDArray original, NDArray converted) {
    if (converted != original) {
      original.close();
    }
    return converted;
  }

  /**
   * cos and sin tables, each (B, 1, T, headDim), from float32 positions × inv_freq as transformers does, in the compute
   * dtype (interleaved rotary: those values held in float32).
   */
  private NDArray[] rotaryTables(NDArray positions) {
    NDArray freqs = positions.toType(DataType.FLOAT32, false).expandDims(2).mul(invFreq.reshape(1, 1, -1));
    if (config.block().interleavedRotary()) {
      // CohereRotaryEmbedding: repeat_interleave(freqs, 2), each frequency twice in a row; the tables are rounded to
      // the compute dtype and the rotation runs in float32 (apply_rotary_pos_emb), so they are widened here, once a pass
      NDArray emb = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(freqs, freqs), 3)
          .reshape(freqs.getShape().get(0), freqs.getShape().get(1), -1).expandDims(1);
      return new NDArray[] {scaled(emb.cos()).toType(dtype, false).toType(DataType.FLOAT32, false),
          scaled(emb.sin()).toType(dtype, false).toType(DataType.FLOAT32, false)};
    }
    NDArray emb = freqs.concat(freqs, 2).expandDims(1);
    return new NDArray[] {scaled(emb.cos()).toType(dtype, false), scaled(emb.sin()).toType(dtype, false)};
  }

  /** cos and sin times the rotary attention scaling in float32 (YaRN's attention factor; 1 leaves them as they are). */
  private NDArray scaled(NDArray table) {
    double scaling = config.rope().attentionScaling();
    return scaling == 1.0 ? table : table.mul((float) scaling);
  }

  private static NDArray applyRotary(NDArray x, NDArray cos, NDArray sin) {
    long half = x.getShape().get(3) / 2;
    NDArray x1 = x.get(new NDIndex("..., :{}", half));
    NDArray x2 = x.get(new NDIndex("..., {}:", half));
    NDArray rotated = x2.neg().concat(x1, 3);
    return x.mul(cos).add(rotated.mul(sin));
  }

  /**
   * Cohere's rotary embedding: pairs (2i, 2i+1) rotate together ({@code rotate_half} = stack(-x[1::2], x[::2])
   * flattened), in float32 with float32 tables of compute-dtype values ({@link #rotaryTables}), as modeling_cohere's
   * apply_rotary_pos_emb does.
   */
  private NDArray applyInterleavedRotary(NDArray x, NDArray cos, NDArray sin) {
    Shape s = x.getShape();
    NDArray x32 = x.toType(DataType.FLOAT32, false);
    NDArray pairs = x32.reshape(s.get(0), s.get(1), s.get(2), s.get(3) / 2, 2);
    NDArray even = pairs.get(new NDIndex("..., 0"));
    NDArray odd = pairs.get(new NDIndex("..., 1"));
    NDArray rotated = ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(odd.neg(), even), 4).reshape(s);
    return x32.mul(cos).add(rotated.mul(sin)).toType(dtype, false);
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
      // a sliding window (Mistral) keeps the last `window` keys, the query's own included
      long first = window > 0 ? Math.max(0, past + i - window + 1) : 0;
      for (long j = first; j <= past + i; j++) {
        causal[(int) (i * tk + j)] = true;
      }
    }
    NDArray allowed = m.create(causal, new Shape(1, 1, t, tk))
        .logicalAnd(mask.eq(1).reshape(b, 1, 1, tk));
    return allowed.logicalNot().toType(DataType.FLOAT32, false).mul(-Float.MAX_VALUE);
  }

  private NDArray norm(NDArray x, NormWeights w) {
    return switch (config.block().norm()) {
      case RMS -> rmsNorm(x, w.weight());
      case CENTRED_NO_BIAS -> centredNorm(x, w.weight());
      case LAYER_NORM -> layerNorm(x, w);
    };
  }

  /**
   * torch.nn.LayerNorm through torch's own kernel, in float32 (its CPU and CUDA kernels accumulate half inputs in
   * float32 too), cast back to the compute dtype.
   */
  private NDArray layerNorm(NDArray x, NormWeights w) {
    NDArray x32 = x.toType(DataType.FLOAT32, false);
    Shape last = new Shape(x.getShape().get(x.getShape().dimension() - 1));
    return x32.getNDArrayInternal().layerNorm(x32, last, w.weight().toType(DataType.FLOAT32, false),
        w.bias().toType(DataType.FLOAT32, false), (float) config.normEps()).singletonOrThrow().toType(dtype, false);
  }

  /** CohereLayerNorm: centred and scaled in float32, multiplied by the weight in float32, then cast back; no bias. */
  private NDArray centredNorm(NDArray x, NDArray weight) {
    NDArray x32 = x.toType(DataType.FLOAT32, false);
    NDArray centred = x32.sub(x32.mean(new int[] {-1}, true));
    NDArray variance = centred.square().mean(new int[] {-1}, true);
    return weight.toType(DataType.FLOAT32, false).mul(centred.mul(variance.add(config.normEps()).sqrt().pow(-1))).toType(dtype, false);
  }

  /** LlamaRMSNorm: normalised in float32, cast back to the compute dtype, then scaled by the weight. */
  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray x32 = x.toType(DataType.FLOAT32, false);
    NDArray variance = x32.square().mean(new int[] {-1}, true);
    return x32.mul(variance.add(config.normEps()).sqrt().pow(-1)).toType(dtype, false).mul(weight);
  }

  private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
  }

  @Override
  public void close() {
    weightsManager.close();
    if (bfloat16 != null) {
      bfloat16.close();
    }
  }
}

package dev.kansoku.inference;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * What most transformers decoder families share, for their {@link Architecture} classes to build on (as transformers'
 * modular files build on modeling_llama): config.json's standard keys, tensor names under {@code model.}
 * ({@code model.embed_tokens}, {@code model.layers.N.self_attn.q_proj}, …, {@code model.norm}, {@code lm_head}), and
 * the attention and gated-MLP weights in the order transformers saves them.
 */
public final class StandardDecoder {
  public static final String EMBEDDING = "model.embed_tokens.weight";
  public static final String FINAL_NORM = "model.norm.weight";
  public static final String LM_HEAD = "lm_head.weight";

  private StandardDecoder() {}

  /** The name prefix of decoder layer {@code i}'s tensors. */
  public static String layer(int i) {
    return "model.layers." + i + ".";
  }

  /** The standard size keys, read and checked (heads divide the width unless head_dim is given; groups divide heads). */
  public record Dimensions(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads, int headDim) {
    public static Dimensions read(ConfigFields f) {
      return read(f, 0);
    }

    /** With the family's default {@code head_dim} (0: hidden_size / num_attention_heads). */
    public static Dimensions read(ConfigFields f, int defaultHeadDim) {
      int hidden = f.requiredInt("hidden_size");
      int heads = f.requiredInt("num_attention_heads");
      int kvHeads = f.optionalInt("num_key_value_heads", heads);
      int layers = f.requiredInt("num_hidden_layers");
      if (hidden % heads != 0 && f.optionalInt("head_dim", defaultHeadDim) == 0) {
        throw new ModelFormatException(f.file(), "num_attention_heads", heads + " does not divide hidden_size " + hidden);
      }
      if (heads % kvHeads != 0) {
        throw new ModelFormatException(f.file(), "num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
      }
      int vocab = f.requiredInt("vocab_size");
      int intermediate = f.requiredInt("intermediate_size");
      int headDim = f.optionalInt("head_dim", defaultHeadDim > 0 ? defaultHeadDim : hidden / heads);
      return new Dimensions(vocab, hidden, intermediate, layers, heads, kvHeads, headDim);
    }
  }

  /** {@code hidden_act} must be {@code expected}; anything else is an error naming the key. */
  public static void requireActivation(ConfigFields f, String expected, String fallback) {
    String act = f.optionalText("hidden_act", fallback);
    if (!act.equals(expected)) {
      throw new ModelFormatException(f.file(), "hidden_act", "'" + act + "' is not implemented (" + expected + " only)");
    }
  }

  /** {@code mlp_bias} (LlamaConfig's option, read by the families built on it) must be false. */
  public static void refuseMlpBias(ConfigFields f) {
    if (f.optionalBoolean("mlp_bias", false)) {
      throw new ModelFormatException(f.file(), "mlp_bias", "true is not implemented (MLP projections without bias)");
    }
  }

  /** {@code layer_types}, when given, may only say full attention (families without sliding windows). */
  public static java.util.List<Integer> fullAttention(ConfigFields f, String name, int layers) {
    if (f.root().hasNonNull("layer_types")) {
      java.util.List<String> types = f.textList("layer_types");
      for (int i = 0; i < types.size(); i++) {
        if (!types.get(i).equals("full_attention")) {
          throw new ModelFormatException(f.file(), "layer_types[" + i + "]", "'" + types.get(i) + "' is not implemented for " + name);
        }
      }
    }
    return java.util.Collections.nCopies(layers, 0);
  }

  /**
   * Qwen2's and Qwen3's windows: {@code layer_types} when given, else transformers 5's derivation — sliding from layer
   * {@code max_window_layers} on, and only with {@code use_sliding_window} (window default 4096).
   */
  public static java.util.List<Integer> windowsAfterMaxWindowLayers(ConfigFields f, int layers) {
    boolean use = f.optionalBoolean("use_sliding_window", false);
    int w = f.optionalInt("sliding_window", 4096);
    int from = f.optionalNonNegativeInt("max_window_layers", 28);
    java.util.List<String> types = f.layerTypes(layers);
    Integer[] windows = new Integer[layers];
    for (int i = 0; i < layers; i++) {
      String type = types != null ? types.get(i) : use && i >= from ? "sliding_attention" : "full_attention";
      windows[i] = switch (type) {
        case "full_attention" -> 0;
        case "sliding_attention" -> use ? w : 0;
        default -> throw new ModelFormatException(f.file(), "layer_types[" + i + "]", "'" + type
            + "' is not implemented (full_attention, sliding_attention)");
      };
    }
    return java.util.Arrays.asList(windows);
  }

  /** The token embedding. */
  public static Embedder embedding(ModelConfig c, TensorSource w) {
    return Embedder.tokens(w.matrix(EMBEDDING, c.vocabSize(), c.hiddenSize()), w.compute());
  }

  /** The LM head: the embedding matrix when tied, else {@code lm_head.weight}. */
  public static ai.djl.ndarray.NDArray lmHead(ModelConfig c, TensorSource w, Embedder embedding) {
    return c.tieWordEmbeddings() ? embedding.tokenMatrix() : w.matrix(LM_HEAD, c.vocabSize(), c.hiddenSize());
  }

  /** Query, key and value inputs and the output projection. */
  public record AttentionWeights(Attention.Inputs inputs, Projection output) {}

  /** q, k, v and o weights, then (with {@code bias}) q, k and v biases; the output projection has none. */
  public static AttentionWeights attention(ModelConfig c, String prefix, TensorSource w, boolean bias) {
    return attention(c, prefix, w, bias, false);
  }

  /**
   * q, k, v and o weights, then (with {@code bias}) q, k and v biases and (with {@code outputBias}) o's: the order
   * the tensor table lists them in.
   */
  public static AttentionWeights attention(ModelConfig c, String prefix, TensorSource w, boolean bias, boolean outputBias) {
    long d = c.hiddenSize();
    long q = (long) c.numHeads() * c.headDim();
    long kv = (long) c.numKvHeads() * c.headDim();
    String p = prefix + "self_attn.";
    var qw = w.matrix(p + "q_proj.weight", q, d);
    var kw = w.matrix(p + "k_proj.weight", kv, d);
    var vw = w.matrix(p + "v_proj.weight", kv, d);
    var ow = w.matrix(p + "o_proj.weight", d, q);
    var qb = bias ? w.vector(p + "q_proj.bias", q) : null;
    var kb = bias ? w.vector(p + "k_proj.bias", kv) : null;
    var vb = bias ? w.vector(p + "v_proj.bias", kv) : null;
    var ob = outputBias ? w.vector(p + "o_proj.bias", d) : null;
    var bf = w.compute().bfloat16();
    Projection o = new Projection(ow, ob, bf);
    return new AttentionWeights(Attention.separate(new Projection(qw, qb, bf), new Projection(kw, kb, bf), new Projection(vw, vb, bf)), o);
  }

  /** {@code mlp.gate_proj}, {@code up_proj}, {@code down_proj}: down(act(gate x) · up x). */
  public static FeedForward gatedMlp(ModelConfig c, String prefix, TensorSource w, FeedForward.Activation act) {
    long d = c.hiddenSize();
    long inner = c.intermediateSize();
    String p = prefix + "mlp.";
    return FeedForward.gated(w.linear(p + "gate_proj", false, inner, d), w.linear(p + "up_proj", false, inner, d),
        w.linear(p + "down_proj", false, d, inner), act);
  }

  /** Which config.json keys give each tensor dimension, to name them when a weight's shape disagrees. */
  public static Map<Long, String> dimensionKeys(ModelConfig c) {
    Map<Long, String> keys = new LinkedHashMap<>();
    BiConsumer<Long, String> add = (v, k) -> keys.merge(v, k, (a, b) -> a + " or " + b);
    add.accept((long) c.hiddenSize(), "hidden_size");
    add.accept((long) c.vocabSize(), "vocab_size");
    add.accept((long) c.intermediateSize(), "intermediate_size");
    add.accept((long) c.numHeads() * c.headDim(), "num_attention_heads × head_dim");
    add.accept((long) c.numKvHeads() * c.headDim(), "num_key_value_heads × head_dim");
    if (c.feedForward().isMixture()) {
      add.accept((long) c.feedForward().experts(), "num_local_experts");
    }
    return keys;
  }
}

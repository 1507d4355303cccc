package dev.kansoku.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a Hugging Face {@code config.json} that the Llama forward pass needs, with the same defaults
 * as transformers' {@code LlamaConfig}. Anything malformed is reported with the file and the key.
 */
public record LlamaConfig(
    String architecture,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    double normEps,
    double ropeTheta,
    boolean tieWordEmbeddings,
    int maxPositionEmbeddings,
    List<Integer> eosTokenIds,
    boolean attentionBias,
    int slidingWindow,
    RopeScaling ropeScaling,
    int numExperts,
    int expertsPerToken,
    BlockStyle block) {

  /**
   * Where a decoder layer departs from Llama's. Llama, Mistral, Qwen2 and Mixtral: RMSNorm before attention and
   * before the MLP, rotary halves ({@code rotate_half} over the two halves of a head), a SwiGLU MLP. Cohere
   * (modeling_cohere): one mean-centred LayerNorm without bias feeding attention and MLP in parallel, rotary pairs
   * interleaved ({@code repeat_interleave} tables, even/odd rotation), logits multiplied by {@code logit_scale}.
   * GPT-2 (modeling_gpt2): LayerNorm with bias, learned absolute positions, a two-matrix GELU MLP, biases on every
   * projection, weights stored as Conv1D ([in, out]) with query, key and value in one matrix.
   */
  public record BlockStyle(Norm norm, Positions positions, boolean parallelResidual, double logitScale, Mlp mlp) {
    static final BlockStyle LLAMA = new BlockStyle(Norm.RMS, Positions.ROTARY_HALVES, false, 1.0, Mlp.SWIGLU);

    public boolean interleavedRotary() {
      return positions == Positions.ROTARY_INTERLEAVED;
    }
  }

  /** The normalisation of the block. */
  public enum Norm {
    /** LlamaRMSNorm: x / rms(x) in float32, cast back, times the weight. */
    RMS,
    /** CohereLayerNorm: (x - mean) / std in float32, times the weight in float32, cast back; no bias. */
    CENTRED_NO_BIAS,
    /** torch.nn.LayerNorm with weight and bias (GPT-2's ln_1, ln_2, ln_f). */
    LAYER_NORM
  }

  /** How positions enter: rotary embeddings on query and key (two layouts), or learned vectors added to the tokens'. */
  public enum Positions {
    ROTARY_HALVES,
    ROTARY_INTERLEAVED,
    /** GPT-2's {@code wpe}: one learned vector per position, up to {@code n_positions}. */
    LEARNED
  }

  /** The feed-forward block, by its activation and number of matrices. */
  public enum Mlp {
    /** down(silu(gate x) · up x): Llama's three matrices. */
    SWIGLU(3),
    /** c_proj(gelu(c_fc x)) with torch's exact (erf) GELU: GPT-2's {@code activation_function = "gelu"}. */
    GELU(2),
    /** The same with the tanh approximation: {@code gelu_new} (transformers' NewGELUActivation) or {@code gelu_pytorch_tanh}. */
    GELU_TANH(2);

    /** Matrices of one MLP (one expert's, for a mixture). */
    public final int matrices;

    Mlp(int matrices) {
      this.matrices = matrices;
    }
  }

  /**
   * {@code rope_scaling} of config.json: {@code linear} (positions divided by the factor) or {@code llama3}
   * (Llama 3.1: low frequencies divided by the factor, high ones kept, a smooth blend between), as transformers'
   * {@code ROPE_INIT_FUNCTIONS} compute them. Null when absent.
   */
  public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

  /** Whether the MLP is a sparse mixture of experts (Mixtral). */
  public boolean isMixtureOfExperts() {
    return numExperts > 0;
  }

  /** OpenAI GPT-2's architecture (Fugaku-LLM-13B); its config.json uses GPT2Config's key names. */
  public static final String GPT2 = "GPT2LMHeadModel";

  /**
   * Architectures that share the Llama block: Mistral adds sliding-window attention, Qwen2 biases on the
   * query/key/value projections (and sliding windows only when {@code use_sliding_window} is set), Mixtral
   * replaces the MLP by a sparse mixture of experts (top-k routing); Cohere and GPT-2 differ as {@link BlockStyle} says.
   */
  public static final java.util.Set<String> SUPPORTED_ARCHITECTURES =
      java.util.Set.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "MixtralForCausalLM", "CohereForCausalLM",
          GPT2);

  /** Whether this is {@link #GPT2}: other tensor names and Conv1D layouts ({@link LlamaTensors}). */
  public boolean isGpt2() {
    return architecture.equals(GPT2);
  }

  public static LlamaConfig read(Path configJson) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(configJson));
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(configJson, "config.json", "file not found");
    } catch (IOException e) {
      throw new ModelFormatException(configJson, "config.json", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(configJson, "config.json", "expected a JSON object");
    }
    Fields f = new Fields(configJson, root);
    String arch = f.architecture();
    if (!SUPPORTED_ARCHITECTURES.contains(arch)) {
      throw new ModelFormatException(configJson, "architectures", "unsupported architecture '" + arch
          + "' (this engine implements " + String.join(", ", new java.util.TreeSet<>(SUPPORTED_ARCHITECTURES)) + ")");
    }
    if (arch.equals(GPT2)) {
      return checked(configJson, gpt2(configJson, root, f));
    }
    boolean qwen2 = arch.equals("Qwen2ForCausalLM");
    boolean cohere = arch.equals("CohereForCausalLM");
    if (cohere) {
      // options of CohereConfig that Command R v01 does not use and this engine does not implement
      if (f.optionalBoolean("use_qk_norm", false)) {
        throw new ModelFormatException(configJson, "use_qk_norm", "true is not implemented (Command R+ query/key norms)");
      }
      if (f.optionalBoolean("attention_bias", false)) {
        throw new ModelFormatException(configJson, "attention_bias", "true is not implemented for CohereForCausalLM");
      }
      String act = root.path("hidden_act").asText("silu");
      if (!act.equals("silu")) {
        throw new ModelFormatException(configJson, "hidden_act", "'" + act + "' is not implemented (silu only)");
      }
    }
    boolean mixtral = arch.equals("MixtralForCausalLM");
    boolean windowed = arch.equals("MistralForCausalLM") || mixtral || (qwen2 && f.optionalBoolean("use_sliding_window", false));
    RopeScaling scaling = f.ropeScaling();
    int experts = mixtral ? f.requiredInt("num_local_experts") : 0;
    int perToken = mixtral ? f.optionalInt("num_experts_per_tok", 2) : 0;
    if (mixtral && perToken > experts) {
      throw new ModelFormatException(configJson, "num_experts_per_tok", perToken + " exceeds num_local_experts " + experts);
    }
    int hidden = f.requiredInt("hidden_size");
    int heads = f.requiredInt("num_attention_heads");
    int kvHeads = f.optionalInt("num_key_value_heads", heads);
    if (hidden % heads != 0) {
      throw new ModelFormatException(configJson, "num_attention_heads", heads + " does not divide hidden_size " + hidden);
    }
    if (heads % kvHeads != 0) {
      throw new ModelFormatException(configJson, "num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
    }
    return checked(configJson, new LlamaConfig(
        arch,
        f.requiredInt("vocab_size"),
        hidden,
        f.requiredInt("intermediate_size"),
        f.requiredInt("num_hidden_layers"),
        heads,
        kvHeads,
        f.optionalInt("head_dim", hidden / heads),
        cohere ? f.optionalDouble("layer_norm_eps", 1e-5) : f.optionalDouble("rms_norm_eps", 1e-6),
        f.optionalDouble("rope_theta", 10000.0),
        f.optionalBoolean("tie_word_embeddings", cohere),
        f.optionalInt("max_position_embeddings", cohere ? 8192 : 2048),
        cohere && !root.has("eos_token_id") ? List.of(255001) : f.intList("eos_token_id"),
        qwen2 || f.optionalBoolean("attention_bias", false),
        windowed ? f.optionalInt("sliding_window", 0) : 0,
        scaling,
        experts,
        perToken,
        cohere ? new BlockStyle(Norm.CENTRED_NO_BIAS, Positions.ROTARY_INTERLEAVED, true, f.optionalDouble("logit_scale", 0.0625), Mlp.SWIGLU)
            : BlockStyle.LLAMA));
  }

  /**
   * GPT2Config's keys and defaults (n_embd, n_layer, n_head, n_inner = null → 4 × n_embd, n_positions 1024,
   * layer_norm_epsilon 1e-5, activation_function gelu_new, tied head, eos 50256). Options that change the attention
   * and that no study model uses are errors naming the key rather than silently different numbers.
   */
  private static LlamaConfig gpt2(Path configJson, JsonNode root, Fields f) {
    if (f.optionalBoolean("scale_attn_by_inverse_layer_idx", false)) {
      throw new ModelFormatException(configJson, "scale_attn_by_inverse_layer_idx", "true is not implemented");
    }
    if (!f.optionalBoolean("scale_attn_weights", true)) {
      throw new ModelFormatException(configJson, "scale_attn_weights", "false is not implemented");
    }
    if (f.optionalBoolean("add_cross_attention", false)) {
      throw new ModelFormatException(configJson, "add_cross_attention", "cross-attention is not implemented (decoder-only models)");
    }
    String act = root.path("activation_function").asText("gelu_new");
    Mlp mlp = switch (act) {
      case "gelu" -> Mlp.GELU;
      case "gelu_new", "gelu_pytorch_tanh" -> Mlp.GELU_TANH;
      default -> throw new ModelFormatException(configJson, "activation_function", "'" + act
          + "' is not implemented (gelu, gelu_new, gelu_pytorch_tanh)");
    };
    int hidden = f.requiredInt("n_embd");
    int heads = f.requiredInt("n_head");
    if (hidden % heads != 0) {
      throw new ModelFormatException(configJson, "n_head", heads + " does not divide n_embd " + hidden);
    }
    int vocab = f.requiredInt("vocab_size");
    // GPT2Config's default eos (50256) lies outside a smaller vocabulary, where transformers can never generate it:
    // no eos then, the same behaviour, and padding is not given an id the embedding lacks
    List<Integer> eos = root.has("eos_token_id") ? f.intList("eos_token_id") : vocab > 50256 ? List.of(50256) : List.of();
    return new LlamaConfig(GPT2, vocab, hidden, f.optionalInt("n_inner", 4 * hidden),
        f.requiredInt("n_layer"), heads, heads, hidden / heads, f.optionalDouble("layer_norm_epsilon", 1e-5), 0.0,
        f.optionalBoolean("tie_word_embeddings", true), f.optionalInt("n_positions", 1024),
        eos, true, 0, null, 0, 0,
        new BlockStyle(Norm.LAYER_NORM, Positions.LEARNED, false, 1.0, mlp));
  }

  /** An eos id the embedding lacks would pad batches with an id that cannot be looked up: an error naming the key. */
  private static LlamaConfig checked(Path file, LlamaConfig c) {
    for (int id : c.eosTokenIds()) {
      if (id >= c.vocabSize()) {
        throw new ModelFormatException(file, "eos_token_id", id + " is outside the vocabulary (vocab_size " + c.vocabSize() + ")");
      }
    }
    return c;
  }

  /** Typed access to config.json fields; each failure names the key. */
  private record Fields(Path file, JsonNode root) {
    String architecture() {
      JsonNode a = root.get("architectures");
      if (a == null || !a.isArray() || a.isEmpty() || !a.get(0).isTextual()) {
        throw new ModelFormatException(file, "architectures", "expected a non-empty list of strings");
      }
      return a.get(0).asText();
    }

    RopeScaling ropeScaling() {
      JsonNode s = root.get("rope_scaling");
      if (s == null || s.isNull()) {
        return null;
      }
      if (!s.isObject()) {
        throw new ModelFormatException(file, "rope_scaling", "expected an object or null, got " + s);
      }
      // transformers reads "rope_type", older configs "type"
      String type = s.hasNonNull("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("");
      Fields inner = new Fields(file, s);
      switch (type) {
        case "default":
          return null;
        case "linear":
          return new RopeScaling(type, inner.positiveDouble("factor", "rope_scaling.factor"), 0, 0, 0);
        case "llama3":
          return new RopeScaling(type, inner.positiveDouble("factor", "rope_scaling.factor"),
              inner.positiveDouble("low_freq_factor", "rope_scaling.low_freq_factor"),
              inner.positiveDouble("high_freq_factor", "rope_scaling.high_freq_factor"),
              inner.requiredInt("original_max_position_embeddings"));
        default:
          throw new ModelFormatException(file, "rope_scaling.rope_type", "unsupported rope scaling '" + type
              + "' (this engine implements linear and llama3)");
      }
    }

    double positiveDouble(String key, String path) {
      JsonNode v = root.get(key);
      if (v == null || !v.isNumber() || v.asDouble() <= 0) {
        throw new ModelFormatException(file, path, "expected a positive number, got " + v);
      }
      return v.asDouble();
    }

    int requiredInt(String key) {
      JsonNode v = root.get(key);
      if (v == null || v.isNull()) {
        throw new ModelFormatException(file, key, "missing");
      }
      return asPositiveInt(key, v);
    }

    int optionalInt(String key, int fallback) {
      JsonNode v = root.get(key);
      return v == null || v.isNull() ? fallback : asPositiveInt(key, v);
    }

    double optionalDouble(String key, double fallback) {
      JsonNode v = root.get(key);
      if (v == null || v.isNull()) {
        return fallback;
      }
      if (!v.isNumber()) {
        throw new ModelFormatException(file, key, "expected a number, got " + v);
      }
      return v.asDouble();
    }

    boolean optionalBoolean(String key, boolean fallback) {
      JsonNode v = root.get(key);
      if (v == null || v.isNull()) {
        return fallback;
      }
      if (!v.isBoolean()) {
        throw new ModelFormatException(file, key, "expected true or false, got " + v);
      }
      return v.asBoolean();
    }

    List<Integer> intList(String key) {
      JsonNode v = root.get(key);
      List<Integer> out = new ArrayList<>();
      if (v == null || v.isNull()) {
        return out;
      }
      if (v.isArray()) {
        v.forEach(x -> out.add(asPositiveOrZero(key, x)));
      } else {
        out.add(asPositiveOrZero(key, v));
      }
      return out;
    }

    private int asPositiveInt(String key, JsonNode v) {
      if (!v.isIntegralNumber() || v.asLong() <= 0 || v.asLong() > Integer.MAX_VALUE) {
        throw new ModelFormatException(file, key, "expected a positive integer, got " + v);
      }
      return v.asInt();
    }

    private int asPositiveOrZero(String key, JsonNode v) {
      if (!v.isIntegralNumber() || v.asLong() < 0) {
        throw new ModelFormatException(file, key, "expected a token id, got " + v);
      }
      return v.asInt();
    }
  }
}

package dev.kansoku.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
    RotaryParameters rope,
    boolean tieWordEmbeddings,
    int maxPositionEmbeddings,
    List<Integer> eosTokenIds,
    boolean attentionBias,
    List<Integer> layerWindows,
    int numExperts,
    int expertsPerToken,
    BlockStyle block) {

  /** The smallest sliding window of any layer (0 when every layer attends to all earlier tokens). */
  public int slidingWindow() {
    return layerWindows.stream().mapToInt(Integer::intValue).filter(w -> w > 0).min().orElse(0);
  }

  /** The sliding window of layer {@code layer} (0 = full attention). */
  public int windowOf(int layer) {
    return layerWindows.get(layer);
  }

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

  /**
   * Keys that do not change a forward pass in evaluation, whatever the architecture: metadata, training-only settings
   * (dropout, initialisation), the storage dtype (the registry's {@code dtype} chooses the compute dtype), token ids
   * other than end-of-sequence, and task-head fields. Any other key an architecture does not read is refused by name.
   */
  private static final Set<String> INERT = Set.of("architectures", "model_type", "transformers_version", "dtype", "torch_dtype",
      "use_cache", "initializer_range", "bos_token_id", "pad_token_id", "attention_dropout", "output_hidden_states",
      "output_attentions", "return_dict", "id2label", "label2id", "num_labels", "problem_type", "is_encoder_decoder",
      "chunk_size_feed_forward", "tie_encoder_decoder", "is_decoder", "pruned_heads", "torchscript", "use_return_dict",
      "tokenizer_class", "prefix", "sep_token_id", "decoder_start_token_id", "finetuning_task", "task_specific_params",
      "cross_attention_hidden_size", "add_cross_attention",
      // transformers 4 wrote generation defaults into config.json; the task's own decoding settings rule
      "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty",
      "temperature", "top_k", "top_p", "typical_p", "length_penalty", "num_return_sequences", "output_scores",
      "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
      "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens", "tf_legacy_loss", "bad_words_ids",
      // Llama 2's tensor-parallel slicing of the MLP (equal math; transformers 5 no longer reads it)
      "pretraining_tp");

  /** Storage dtypes a config.json may declare ({@code dtype}, or {@code torch_dtype} before transformers 5). */
  private static final Set<String> DECLARED_DTYPES = Set.of("float32", "float16", "bfloat16");

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
    f.declaredDtype();
    LlamaConfig c = arch.equals(GPT2) ? gpt2(configJson, root, f) : llamaFamily(configJson, arch, f);
    f.refuseUnread();
    return checked(configJson, withGenerationEos(configJson, c));
  }

  /**
   * Llama, Mistral, Qwen2, Mixtral and Cohere, with the defaults of their transformers config classes (Mixtral's
   * rope_theta 1e6 and rms_norm_eps 1e-5, Cohere's rope_theta 5e5, Mistral's sliding_window 4096).
   */
  private static LlamaConfig llamaFamily(Path configJson, String arch, Fields f) {
    boolean qwen2 = arch.equals("Qwen2ForCausalLM");
    boolean cohere = arch.equals("CohereForCausalLM");
    boolean mixtral = arch.equals("MixtralForCausalLM");
    boolean mistral = arch.equals("MistralForCausalLM");
    String act = f.optionalText("hidden_act", "silu");
    if (!act.equals("silu")) {
      throw new ModelFormatException(configJson, "hidden_act", "'" + act + "' is not implemented (silu only)");
    }
    if (f.optionalBoolean("mlp_bias", false)) {
      throw new ModelFormatException(configJson, "mlp_bias", "true is not implemented (MLP projections without bias)");
    }
    if (cohere) {
      // options of CohereConfig that Command R v01 does not use and this engine does not implement
      if (f.optionalBoolean("use_qk_norm", false)) {
        throw new ModelFormatException(configJson, "use_qk_norm", "true is not implemented (Command R+ query/key norms)");
      }
      if (f.optionalBoolean("attention_bias", false)) {
        throw new ModelFormatException(configJson, "attention_bias", "true is not implemented for CohereForCausalLM");
      }
    }
    int experts = mixtral ? f.requiredInt("num_local_experts") : 0;
    int perToken = mixtral ? f.optionalInt("num_experts_per_tok", 2) : 0;
    if (mixtral && perToken > experts) {
      throw new ModelFormatException(configJson, "num_experts_per_tok", perToken + " exceeds num_local_experts " + experts);
    }
    if (mixtral) {
      f.inert("output_router_logits", "router_aux_loss_coef", "router_jitter_noise"); // training-only (jitter: self.training)
    }
    int hidden = f.requiredInt("hidden_size");
    int heads = f.requiredInt("num_attention_heads");
    int kvHeads = f.optionalInt("num_key_value_heads", heads);
    int layers = f.requiredInt("num_hidden_layers");
    if (hidden % heads != 0 && f.optionalInt("head_dim", 0) == 0) {
      throw new ModelFormatException(configJson, "num_attention_heads", heads + " does not divide hidden_size " + hidden);
    }
    if (heads % kvHeads != 0) {
      throw new ModelFormatException(configJson, "num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
    }
    int maxPositions = f.optionalInt("max_position_embeddings", cohere ? 8192 : mistral || mixtral ? 131072 : qwen2 ? 32768 : 2048);
    RotaryParameters rope = f.rope(mixtral ? 1e6 : cohere ? 5e5 : 10000.0, maxPositions);
    return new LlamaConfig(
        arch,
        f.requiredInt("vocab_size"),
        hidden,
        f.requiredInt("intermediate_size"),
        layers,
        heads,
        kvHeads,
        f.optionalInt("head_dim", hidden / heads),
        cohere ? f.optionalDouble("layer_norm_eps", 1e-5) : f.optionalDouble("rms_norm_eps", mixtral ? 1e-5 : 1e-6),
        rope,
        f.optionalBoolean("tie_word_embeddings", cohere),
        maxPositions,
        cohere && !f.root().has("eos_token_id") ? List.of(255001) : f.intList("eos_token_id"),
        qwen2 || (!mistral && !mixtral && f.optionalBoolean("attention_bias", false)),
        layerWindows(f, arch, layers),
        experts,
        perToken,
        cohere ? new BlockStyle(Norm.CENTRED_NO_BIAS, Positions.ROTARY_INTERLEAVED, true, f.optionalDouble("logit_scale", 0.0625), Mlp.SWIGLU)
            : BlockStyle.LLAMA);
  }

  /**
   * The sliding window of each layer, as transformers applies it. Mistral and Mixtral: {@code sliding_window} on every
   * layer (null: none; MistralConfig's default 4096). Qwen2: {@code layer_types} when given, else transformers 5's
   * derivation — sliding from layer {@code max_window_layers} on, and only with {@code use_sliding_window}. Llama and
   * Cohere have no sliding window. A layer type other than full or sliding attention is an error naming the key.
   */
  private static List<Integer> layerWindows(Fields f, String arch, int layers) {
    Integer[] windows = new Integer[layers];
    java.util.Arrays.fill(windows, 0);
    switch (arch) {
      case "MistralForCausalLM", "MixtralForCausalLM" -> {
        int w = f.root().has("sliding_window") ? f.optionalInt("sliding_window", 0) : arch.startsWith("Mistral") ? 4096 : 0;
        java.util.Arrays.fill(windows, w);
        if (f.root().has("layer_types")) {
          // MistralModel ignores layer_types (transformers warns and points to Ministral): a different mask than declared
          throw new ModelFormatException(f.file(), "layer_types", "not read by " + arch + " in transformers (use the Ministral classes)");
        }
      }
      case "Qwen2ForCausalLM" -> {
        // Qwen2Config: sliding_window is None unless use_sliding_window (default 4096 when it is on)
        boolean use = f.optionalBoolean("use_sliding_window", false);
        int w = f.optionalInt("sliding_window", 4096);
        int from = f.optionalNonNegativeInt("max_window_layers", 28);
        List<String> types = f.textList("layer_types");
        if (types != null && types.size() != layers) {
          throw new ModelFormatException(f.file(), "layer_types", types.size() + " entries for num_hidden_layers " + layers);
        }
        for (int i = 0; i < layers; i++) {
          String type = types != null ? types.get(i) : use && i >= from ? "sliding_attention" : "full_attention";
          windows[i] = switch (type) {
            case "full_attention" -> 0;
            case "sliding_attention" -> use ? w : 0;
            default -> throw new ModelFormatException(f.file(), "layer_types[" + i + "]", "'" + type
                + "' is not implemented (full_attention, sliding_attention)");
          };
        }
      }
      default -> {
        if (f.root().hasNonNull("layer_types")) {
          List<String> types = f.textList("layer_types");
          for (int i = 0; i < types.size(); i++) {
            if (!types.get(i).equals("full_attention")) {
              throw new ModelFormatException(f.file(), "layer_types[" + i + "]", "'" + types.get(i) + "' is not implemented for " + arch);
            }
          }
        }
      }
    }
    return List.of(windows);
  }

  /**
   * transformers' {@code generate()} stops at {@code generation_config.json}'s eos ids (Llama 3.1 lists three), which
   * take the place of config.json's when the file is there.
   */
  private static LlamaConfig withGenerationEos(Path configJson, LlamaConfig c) throws IOException {
    Path generation = configJson.resolveSibling("generation_config.json");
    if (!Files.isRegularFile(generation)) {
      return c;
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(generation));
    } catch (IOException e) {
      throw new ModelFormatException(generation, "generation_config.json", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject() || !root.hasNonNull("eos_token_id")) {
      return c;
    }
    List<Integer> eos = new Fields(generation, root).intList("eos_token_id");
    return new LlamaConfig(c.architecture(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.numLayers(), c.numHeads(),
        c.numKvHeads(), c.headDim(), c.normEps(), c.rope(), c.tieWordEmbeddings(), c.maxPositionEmbeddings(), eos, c.attentionBias(),
        c.layerWindows(), c.numExperts(), c.expertsPerToken(), c.block());
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
    if (f.optionalBoolean("reorder_and_upcast_attn", false)) {
      throw new ModelFormatException(configJson, "reorder_and_upcast_attn", "true is not implemented");
    }
    // dropout, the double-heads model's summary head and GPT2Config's legacy n_ctx do not enter a causal LM's forward pass
    f.inert("attn_pdrop", "embd_pdrop", "resid_pdrop", "summary_activation", "summary_first_dropout", "summary_proj_to_labels",
        "summary_type", "summary_use_proj", "n_ctx");
    String act = f.optionalText("activation_function", "gelu_new");
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
    int layers = f.requiredInt("n_layer");
    return new LlamaConfig(GPT2, vocab, hidden, f.optionalInt("n_inner", 4 * hidden),
        layers, heads, heads, hidden / heads, f.optionalDouble("layer_norm_epsilon", 1e-5), RotaryParameters.plain(0),
        f.optionalBoolean("tie_word_embeddings", true), f.optionalInt("n_positions", 1024),
        eos, true, java.util.Collections.nCopies(layers, 0), 0, 0,
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

  /**
   * Typed access to config.json fields; each failure names the key. Every key read is remembered, so that
   * {@link #refuseUnread} can refuse the keys nothing read: a setting this engine does not implement is an error,
   * never a silent default.
   */
  private static final class Fields {
    private final Path file;
    private final JsonNode root;
    private final Set<String> read = new java.util.HashSet<>();

    Fields(Path file, JsonNode root) {
      this.file = file;
      this.root = root;
    }

    Path file() {
      return file;
    }

    JsonNode root() {
      return root;
    }

    /** Marks keys that exist in the architecture's transformers config but do not enter an evaluation forward pass. */
    void inert(String... keys) {
      read.addAll(List.of(keys));
    }

    /** Every key neither read nor inert: refused, naming the first (keys beginning with '_' are metadata). */
    void refuseUnread() {
      java.util.Iterator<String> names = root.fieldNames();
      java.util.List<String> unread = new ArrayList<>();
      while (names.hasNext()) {
        String key = names.next();
        if (!read.contains(key) && !INERT.contains(key) && !key.startsWith("_")) {
          unread.add(key);
        }
      }
      if (!unread.isEmpty()) {
        throw new ModelFormatException(file, unread.get(0), "not implemented by this engine's " + architecture()
            + " (it may change the computation, so it is not ignored)" + (unread.size() > 1 ? "; also " + String.join(", ",
            unread.subList(1, unread.size())) : ""));
      }
    }

    /** The storage dtype, both spellings, checked for a known value and agreement. */
    void declaredDtype() {
      String declared = null;
      for (String key : List.of("dtype", "torch_dtype")) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
          continue;
        }
        if (!v.isTextual() || !DECLARED_DTYPES.contains(v.asText())) {
          throw new ModelFormatException(file, key, "expected one of " + new java.util.TreeSet<>(DECLARED_DTYPES) + ", got " + v);
        }
        if (declared != null && !declared.equals(v.asText())) {
          throw new ModelFormatException(file, key, v + " disagrees with dtype \"" + declared + "\"");
        }
        declared = v.asText();
      }
    }

    String architecture() {
      JsonNode a = root.get("architectures");
      if (a == null || !a.isArray() || a.isEmpty() || !a.get(0).isTextual()) {
        throw new ModelFormatException(file, "architectures", "expected a non-empty list of strings");
      }
      return a.get(0).asText();
    }

    RotaryParameters rope(double defaultTheta, int maxPositions) {
      inert("rope_parameters", "rope_scaling", "rope_theta", "partial_rotary_factor");
      return RotaryParameters.read(file, root, defaultTheta, maxPositions);
    }

    String optionalText(String key, String fallback) {
      read.add(key);
      JsonNode v = root.get(key);
      if (v == null || v.isNull()) {
        return fallback;
      }
      if (!v.isTextual()) {
        throw new ModelFormatException(file, key, "expected a string, got " + v);
      }
      return v.asText();
    }

    /** A list of strings, or null when absent. */
    List<String> textList(String key) {
      read.add(key);
      JsonNode v = root.get(key);
      if (v == null || v.isNull()) {
        return null;
      }
      List<String> out = new ArrayList<>();
      if (!v.isArray()) {
        throw new ModelFormatException(file, key, "expected a list of strings, got " + v);
      }
      for (JsonNode x : v) {
        if (!x.isTextual()) {
          throw new ModelFormatException(file, key, "expected a list of strings, got " + v);
        }
        out.add(x.asText());
      }
      return out;
    }

    int requiredInt(String key) {
      read.add(key);
      JsonNode v = root.get(key);
      if (v == null || v.isNull()) {
        throw new ModelFormatException(file, key, "missing");
      }
      return asPositiveInt(key, v);
    }

    int optionalInt(String key, int fallback) {
      read.add(key);
      JsonNode v = root.get(key);
      return v == null || v.isNull() ? fallback : asPositiveInt(key, v);
    }

    int optionalNonNegativeInt(String key, int fallback) {
      read.add(key);
      JsonNode v = root.get(key);
      return v == null || v.isNull() ? fallback : asPositiveOrZero(key, v);
    }

    double optionalDouble(String key, double fallback) {
      read.add(key);
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
      read.add(key);
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
      read.add(key);
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

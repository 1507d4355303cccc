package dev.kansoku.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Typed access to config.json fields; each failure names the key. Every key read is remembered, so that
 * {@link #refuseUnread} can refuse the keys nothing read: a setting this engine does not implement is an error,
 * never a silent default.
 */
/**
 * Typed access to the fields of a {@code config.json}, for the {@link Architecture} that reads it; each failure
 * names the file and the key. Every key read is remembered, so that the keys nothing read can be refused: a setting
 * this engine does not implement is an error, never a silent default.
 */
public final class ConfigFields {
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

  private final Path file;
  private final JsonNode root;
  private final Set<String> read = new java.util.HashSet<>();

  ConfigFields(Path file, JsonNode root) {
    this.file = file;
    this.root = root;
  }

  public Path file() {
    return file;
  }

  public JsonNode root() {
    return root;
  }

  /** Marks keys that exist in the architecture's transformers config but do not enter an evaluation forward pass. */
  public void inert(String... keys) {
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

  public String architecture() {
    JsonNode a = root.get("architectures");
    if (a == null || !a.isArray() || a.isEmpty() || !a.get(0).isTextual()) {
      throw new ModelFormatException(file, "architectures", "expected a non-empty list of strings");
    }
    return a.get(0).asText();
  }

  public RotaryParameters rope(double defaultTheta, int maxPositions) {
    inert("rope_parameters", "rope_scaling", "rope_theta", "partial_rotary_factor");
    return RotaryParameters.read(file, root, defaultTheta, maxPositions);
  }

  /**
   * {@code layer_types} (transformers 5: one of full_attention, sliding_attention per layer), or null when absent;
   * a list of another length than the layer count is an error naming the key.
   */
  public List<String> layerTypes(int layers) {
    List<String> types = textList("layer_types");
    if (types != null && types.size() != layers) {
      throw new ModelFormatException(file, "layer_types", types.size() + " entries for " + layers + " layers");
    }
    return types;
  }

  public String optionalText(String key, String fallback) {
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
  public List<String> textList(String key) {
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

  public int requiredInt(String key) {
    read.add(key);
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) {
      throw new ModelFormatException(file, key, "missing");
    }
    return asPositiveInt(key, v);
  }

  public int optionalInt(String key, int fallback) {
    read.add(key);
    JsonNode v = root.get(key);
    return v == null || v.isNull() ? fallback : asPositiveInt(key, v);
  }

  public int optionalNonNegativeInt(String key, int fallback) {
    read.add(key);
    JsonNode v = root.get(key);
    return v == null || v.isNull() ? fallback : asPositiveOrZero(key, v);
  }

  public double optionalDouble(String key, double fallback) {
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

  public boolean optionalBoolean(String key, boolean fallback) {
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

  public List<Integer> intList(String key) {
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

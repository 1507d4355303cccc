package dev.kansoku.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The rotary embedding of a config.json in either serialisation: transformers 5's {@code rope_parameters}
 * ({@code {"rope_theta", "rope_type", scaling fields}}) or 4.x's top-level {@code rope_theta} with {@code rope_scaling}
 * ({@code "type"} or {@code "rope_type"}). Precedence is transformers 5's {@code convert_rope_params_to_dict}:
 * a non-empty {@code rope_scaling} replaces {@code rope_parameters}; {@code rope_theta} inside wins over the top-level one,
 * which wins over the architecture's default; llama3 and yarn take {@code original_max_position_embeddings} from
 * {@code max_position_embeddings} when it is absent. Inverse frequencies follow {@code modeling_rope_utils}.
 *
 * <p>Implemented types: default, linear, dynamic (NTK; equal to default while positions stay below
 * {@code max_position_embeddings}, which the engine never exceeds), llama3 and yarn. Any other type, a partial rotary
 * factor, per-layer-type parameters or a key the type does not read is an error naming the key.
 */
public record RotaryParameters(String type, double theta, double factor, double lowFreqFactor, double highFreqFactor,
                               int originalMaxPositions, double attentionFactor, double betaFast, double betaSlow, boolean truncate) {

  /** Keys each type reads (transformers' required and optional keys for it), besides rope_type/type and rope_theta. */
  private static final Map<String, Set<String>> KEYS = Map.of(
      "default", Set.of(),
      "linear", Set.of("factor"),
      "dynamic", Set.of("factor"),
      "llama3", Set.of("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"),
      "yarn", Set.of("factor", "original_max_position_embeddings", "attention_factor", "beta_fast", "beta_slow", "mscale",
          "mscale_all_dim", "truncate"));

  /** Plain rotary embedding with base {@code theta}. */
  public static RotaryParameters plain(double theta) {
    return new RotaryParameters("default", theta, 1, 0, 0, 0, 1.0, 0, 0, true);
  }

  /**
   * Reads the rotary parameters of {@code root}.
   *
   * @param defaultTheta the architecture's {@code default_theta} (10,000 for Llama, 1e6 for Mixtral, 5e5 for Cohere)
   * @param maxPositions {@code max_position_embeddings}, as read
   */
  static RotaryParameters read(Path file, JsonNode root, double defaultTheta, int maxPositions) {
    JsonNode scaling = root.get("rope_scaling");
    JsonNode parameters = root.get("rope_parameters");
    boolean fromScaling = scaling != null && scaling.isObject() && !scaling.isEmpty();
    String where = fromScaling ? "rope_scaling" : "rope_parameters";
    JsonNode source = fromScaling ? scaling : parameters;
    if (!fromScaling && scaling != null && !scaling.isNull() && !scaling.isObject()) {
      throw new ModelFormatException(file, "rope_scaling", "expected an object or null, got " + scaling);
    }
    if (source != null && !source.isNull() && !source.isObject()) {
      throw new ModelFormatException(file, where, "expected an object or null, got " + source);
    }
    if (source == null || source.isNull()) {
      source = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      if (e.getValue().isObject()) {
        throw new ModelFormatException(file, where + "." + e.getKey(), "rotary parameters per layer type are not implemented");
      }
    }
    JsonNode partial = source.has("partial_rotary_factor") ? source.get("partial_rotary_factor") : root.get("partial_rotary_factor");
    if (partial != null && !partial.isNull() && !(partial.isNumber() && partial.asDouble() == 1.0)) {
      throw new ModelFormatException(file, source.has("partial_rotary_factor") ? where + ".partial_rotary_factor" : "partial_rotary_factor",
          partial + " is not implemented (rotary embedding over the whole head only)");
    }
    String type = source.hasNonNull("rope_type") ? source.get("rope_type").asText() : source.path("type").asText("default");
    Set<String> reads = KEYS.get(type);
    if (reads == null) {
      throw new ModelFormatException(file, where + ".rope_type", "'" + type + "' is not implemented (this engine implements "
          + String.join(", ", new java.util.TreeSet<>(KEYS.keySet())) + ")");
    }
    fields = source.fields();
    while (fields.hasNext()) {
      String key = fields.next().getKey();
      if (!reads.contains(key) && !Set.of("rope_type", "type", "rope_theta", "partial_rotary_factor").contains(key)) {
        throw new ModelFormatException(file, where + "." + key, "not read by rope_type '" + type + "' (a key this engine would ignore)");
      }
    }
    Number theta = number(file, source, "rope_theta", where);
    if (theta == null) {
      theta = number(file, root, "rope_theta", "rope_theta");
    }
    double base = theta == null ? defaultTheta : theta.doubleValue();
    Scoped s = new Scoped(file, source, where);
    return switch (type) {
      case "default" -> plain(base);
      case "linear", "dynamic" -> new RotaryParameters(type, base, s.positive("factor"), 0, 0, 0, 1.0, 0, 0, true);
      case "llama3" -> new RotaryParameters(type, base, s.positive("factor"), s.positive("low_freq_factor"),
          s.positive("high_freq_factor"), s.positions("original_max_position_embeddings", maxPositions), 1.0, 0, 0, true);
      default -> yarn(s, base, maxPositions);
    };
  }

  /** YaRN as {@code _compute_yarn_parameters}: the attention factor from mscale(s) unless given; beta_fast/slow 32/1. */
  private static RotaryParameters yarn(Scoped s, double base, int maxPositions) {
    int original = s.positions("original_max_position_embeddings", maxPositions);
    Number given = number(s.file, s.node, "factor", s.where);
    double factor = given == null ? (double) maxPositions / original : given.doubleValue();
    Number attention = number(s.file, s.node, "attention_factor", s.where);
    double attentionFactor;
    if (attention != null) {
      attentionFactor = attention.doubleValue();
    } else {
      Number mscale = number(s.file, s.node, "mscale", s.where);
      Number mscaleAllDim = number(s.file, s.node, "mscale_all_dim", s.where);
      attentionFactor = mscale != null && mscaleAllDim != null && mscale.doubleValue() != 0 && mscaleAllDim.doubleValue() != 0
          ? (float) (yarnMscale(factor, mscale.doubleValue()) / yarnMscale(factor, mscaleAllDim.doubleValue()))
          : yarnMscale(factor, 1);
    }
    Number fast = number(s.file, s.node, "beta_fast", s.where);
    Number slow = number(s.file, s.node, "beta_slow", s.where);
    JsonNode truncate = s.node.get("truncate");
    if (truncate != null && !truncate.isNull() && !truncate.isBoolean()) {
      throw new ModelFormatException(s.file, s.where + ".truncate", "expected true or false, got " + truncate);
    }
    return new RotaryParameters("yarn", base, factor, 0, 0, original, attentionFactor,
        fast == null || fast.doubleValue() == 0 ? 32 : fast.doubleValue(), slow == null || slow.doubleValue() == 0 ? 1 : slow.doubleValue(),
        truncate == null || truncate.isNull() || truncate.asBoolean());
  }

  private static double yarnMscale(double scale, double mscale) {
    return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
  }

  /** The factor cos and sin are multiplied by (YaRN's attention factor; 1 otherwise). */
  public double attentionScaling() {
    return attentionFactor;
  }

  /** inv_freq as transformers computes it, in float32: 1 / theta^(2i/d), then the type's scaling. */
  public float[] inverseFrequencies(int headDim) {
    int half = headDim / 2;
    float[] inv = new float[half];
    float[] power = new float[half];
    for (int i = 0; i < half; i++) {
      float exponent = (float) (2 * i) / headDim;
      power[i] = (float) Math.pow((float) theta, exponent);
      inv[i] = (float) (1.0 / Math.pow((float) theta, exponent));
    }
    switch (type) {
      case "linear" -> {
        for (int i = 0; i < half; i++) {
          inv[i] = (float) (inv[i] / factor);
        }
      }
      case "llama3" -> llama3(inv);
      case "yarn" -> yarnFrequencies(inv, power, headDim);
      default -> { }
    }
    return inv;
  }

  /**
   * llama3: wavelengths longer than original / low_freq_factor are slowed by the factor, shorter than
   * original / high_freq_factor kept, and those between blended linearly in original / wavelength.
   */
  private void llama3(float[] inv) {
    double lowWavelen = originalMaxPositions / lowFreqFactor;
    double highWavelen = originalMaxPositions / highFreqFactor;
    for (int i = 0; i < inv.length; i++) {
      double wavelen = 2 * Math.PI / inv[i];
      if (wavelen > lowWavelen) {
        inv[i] = (float) (inv[i] / factor);
      } else if (wavelen >= highWavelen) {
        double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        inv[i] = (float) ((1 - smooth) * inv[i] / factor + smooth * inv[i]);
      }
    }
  }

  /** YaRN: interpolated (÷ factor) and extrapolated frequencies blended by a linear ramp over the correction range. */
  private void yarnFrequencies(float[] inv, float[] power, int dim) {
    double low = correctionDim(betaFast, dim);
    double high = correctionDim(betaSlow, dim);
    if (truncate) {
      low = Math.floor(low);
      high = Math.ceil(high);
    }
    low = Math.max(low, 0);
    high = Math.min(high, dim - 1);
    if (low == high) {
      high += 0.001; // as transformers: no division by zero
    }
    for (int i = 0; i < inv.length; i++) {
      float ramp = (float) Math.min(1, Math.max(0, ((float) i - (float) low) / (float) (high - low)));
      float extrapolationFactor = 1 - ramp;
      float extrapolated = 1.0f / power[i];
      float interpolated = (float) (1.0 / (float) (factor * power[i]));
      inv[i] = interpolated * (1 - extrapolationFactor) + extrapolated * extrapolationFactor;
    }
  }

  private double correctionDim(double rotations, int dim) {
    return dim * Math.log(originalMaxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
  }

  private static Number number(Path file, JsonNode node, String key, String where) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw new ModelFormatException(file, where.equals(key) ? key : where + "." + key, "expected a number, got " + v);
    }
    return v.numberValue();
  }

  /** A rotary parameter object and where it sits, for error messages. */
  private record Scoped(Path file, JsonNode node, String where) {
    double positive(String key) {
      Number v = number(file, node, key, where);
      if (v == null || v.doubleValue() <= 0) {
        throw new ModelFormatException(file, where + "." + key, "expected a positive number, got " + node.get(key));
      }
      return v.doubleValue();
    }

    int positions(String key, int fallback) {
      JsonNode v = node.get(key);
      if (v == null || v.isNull()) {
        return fallback;
      }
      if (!v.isIntegralNumber() || v.asLong() <= 0 || v.asLong() > Integer.MAX_VALUE) {
        throw new ModelFormatException(file, where + "." + key, "expected a positive integer, got " + v);
      }
      return v.asInt();
    }
  }
}

package dev.kansoku.inference.architecture;

import dev.kansoku.inference.Architecture;
import dev.kansoku.inference.Attention;
import dev.kansoku.inference.ConfigFields;
import dev.kansoku.inference.DecoderBlock;
import dev.kansoku.inference.Embedder;
import dev.kansoku.inference.FeedForward;
import dev.kansoku.inference.ModelConfig;
import dev.kansoku.inference.ModelFormatException;
import dev.kansoku.inference.Norm;
import dev.kansoku.inference.OutputHead;
import dev.kansoku.inference.RotaryLayout;
import dev.kansoku.inference.StandardDecoder;
import dev.kansoku.inference.TensorSource;
import java.util.List;
import java.util.Set;

/**
 * Gemma 2 (modeling_gemma2; Gemma-2-Llama Swallow builds on it): embeddings scaled by √hidden, RMSNorms that scale
 * by (1 + weight) in float32, four norms per layer (before and after attention, before and after the MLP), a GeGLU
 * MLP with tanh-approximated GELU ({@code hidden_activation}), scores scaled by {@code query_pre_attn_scalar}^-½ and
 * soft-capped ({@code attn_logit_softcapping}), sliding-window attention on alternating layers (layer 0 sliding),
 * and final logits soft-capped ({@code final_logit_softcapping}). Gemma2Config's defaults: head_dim 256,
 * query_pre_attn_scalar 256, caps 50 and 30 (null: none), window 4096, 8,192 positions, a tied head, eos 1.
 *
 * @param attentionBias biases on q, k, v and o
 * @param queryScalar {@code query_pre_attn_scalar}
 * @param attentionCap {@code attn_logit_softcapping} (0: none)
 * @param finalCap {@code final_logit_softcapping} (0: none)
 */
public record Gemma2(boolean attentionBias, double queryScalar, double attentionCap, double finalCap) implements Architecture {
  private static final String NAME = "Gemma2ForCausalLM";

  /** The reader the service loader creates. */
  public Gemma2() {
    this(false, 256, 50.0, 30.0);
  }

  @Override
  public Set<String> names() {
    return Set.of(NAME);
  }

  @Override
  public ModelConfig read(String name, ConfigFields f) {
    String act = f.optionalText("hidden_activation", "gelu_pytorch_tanh");
    if (!act.equals("gelu_pytorch_tanh") && !act.equals("gelu_new")) {
      throw new ModelFormatException(f.file(), "hidden_activation", "'" + act + "' is not implemented (gelu_pytorch_tanh)");
    }
    // Gemma2Config has no hidden_act (its MLP reads hidden_activation; published configs carry both), and
    // cache_implementation chooses generate()'s cache class, not the numbers
    f.inert("hidden_act", "cache_implementation");
    if (f.optionalBoolean("use_bidirectional_attention", false)) {
      throw new ModelFormatException(f.file(), "use_bidirectional_attention", "true is not implemented (causal attention only)");
    }
    StandardDecoder.Dimensions d = StandardDecoder.Dimensions.read(f, 256);
    if (d.hidden() % d.heads() != 0) {
      // Gemma2Config.validate_architecture refuses it too
      throw new ModelFormatException(f.file(), "num_attention_heads", d.heads() + " does not divide hidden_size " + d.hidden());
    }
    int maxPositions = f.optionalInt("max_position_embeddings", 8192);
    Gemma2 settings = new Gemma2(f.optionalBoolean("attention_bias", false), f.optionalInt("query_pre_attn_scalar", 256),
        capOrNone(f, "attn_logit_softcapping", 50.0), capOrNone(f, "final_logit_softcapping", 30.0));
    return new ModelConfig(settings, name, d.vocab(), d.hidden(), d.intermediate(), d.layers(), d.heads(), d.kvHeads(), d.headDim(),
        f.optionalDouble("rms_norm_eps", 1e-6), f.rope(10000.0, maxPositions), f.optionalBoolean("tie_word_embeddings", true),
        maxPositions, f.root().has("eos_token_id") ? f.intList("eos_token_id") : List.of(1), windows(f, d.layers()),
        ModelConfig.FeedForwardShape.dense(3));
  }

  /** A soft cap: the default when absent, none when null. */
  private static double capOrNone(ConfigFields f, String key, double fallback) {
    if (f.root().has(key) && f.root().get(key).isNull()) {
      f.inert(key);
      return 0.0;
    }
    return f.optionalDouble(key, fallback);
  }

  /** {@code layer_types}, by default sliding on even layers ((i + 1) % 2), with {@code sliding_window} (null: full). */
  private static List<Integer> windows(ConfigFields f, int layers) {
    int window = f.root().has("sliding_window") && f.root().get("sliding_window").isNull() ? 0 : f.optionalInt("sliding_window", 4096);
    f.inert("sliding_window");
    List<String> types = f.layerTypes(layers);
    Integer[] out = new Integer[layers];
    for (int i = 0; i < layers; i++) {
      String type = types != null ? types.get(i) : (i + 1) % 2 != 0 ? "sliding_attention" : "full_attention";
      out[i] = switch (type) {
        case "full_attention" -> 0;
        case "sliding_attention" -> window;
        default -> throw new ModelFormatException(f.file(), "layer_types[" + i + "]", "'" + type
            + "' is not implemented (full_attention, sliding_attention)");
      };
    }
    return List.of(out);
  }

  @Override
  public Embedder embedder(ModelConfig c, TensorSource w) {
    return Embedder.scaledTokens(w.matrix(StandardDecoder.EMBEDDING, c.vocabSize(), c.hiddenSize()), Math.sqrt(c.hiddenSize()),
        w.compute());
  }

  @Override
  public DecoderBlock layer(ModelConfig c, int i, TensorSource w) {
    String p = StandardDecoder.layer(i);
    Norm inputNorm = norm(c, w, p + "input_layernorm.weight");
    StandardDecoder.AttentionWeights a = StandardDecoder.attention(c, p, w, attentionBias, attentionBias);
    Norm postAttention = norm(c, w, p + "post_attention_layernorm.weight");
    Norm preFeedForward = norm(c, w, p + "pre_feedforward_layernorm.weight");
    FeedForward mlp = StandardDecoder.gatedMlp(c, p, w, FeedForward.Activation.GELU_TANH);
    Norm postFeedForward = norm(c, w, p + "post_feedforward_layernorm.weight");
    Attention.Shape shape = Attention.Shape.of(c, i).withScaling(Math.pow(queryScalar, -0.5)).withSoftcap(attentionCap);
    Attention attention = new Attention(a.inputs(), a.output(), shape, RotaryLayout.HALVES, w.compute());
    return DecoderBlock.sequential(inputNorm, attention, postAttention, preFeedForward, mlp, postFeedForward);
  }

  @Override
  public OutputHead head(ModelConfig c, TensorSource w, Embedder embedding) {
    Norm norm = norm(c, w, StandardDecoder.FINAL_NORM);
    return new OutputHead(norm, StandardDecoder.lmHead(c, w, embedding), 1.0, finalCap, w.compute());
  }

  private static Norm norm(ModelConfig c, TensorSource w, String name) {
    return Norm.rmsUnitOffset(w.normWeight(name, c.hiddenSize()), c.normEps(), w.compute());
  }
}

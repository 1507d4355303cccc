package dev.kansoku.inference.architecture;

import dev.kansoku.inference.Architecture;
import dev.kansoku.inference.Attention;
import dev.kansoku.inference.ConfigFields;
import dev.kansoku.inference.DecoderBlock;
import dev.kansoku.inference.FeedForward;
import dev.kansoku.inference.ModelConfig;
import dev.kansoku.inference.ModelFormatException;
import dev.kansoku.inference.Norm;
import dev.kansoku.inference.RotaryLayout;
import dev.kansoku.inference.StandardDecoder;
import dev.kansoku.inference.TensorSource;
import java.util.List;
import java.util.Set;

/**
 * Llama (modeling_llama) and the families that differ from it only in config.json: Mistral (sliding-window attention
 * on every layer, default window 4096) and Qwen2 (biases on the query/key/value projections; sliding windows per
 * layer only with {@code use_sliding_window}). Per layer: RMSNorm → grouped-query attention with rotary halves →
 * residual → RMSNorm → SwiGLU MLP → residual; a final RMSNorm and the (tied or untied) head.
 *
 * @param attentionBias biases on q, k and v (Qwen2 always; Llama with {@code attention_bias})
 * @param outputBias a bias on the output projection (Llama with {@code attention_bias}; never Qwen2's)
 */
public record LlamaFamily(boolean attentionBias, boolean outputBias) implements Architecture {
  private static final String LLAMA = "LlamaForCausalLM";
  private static final String MISTRAL = "MistralForCausalLM";
  private static final String QWEN2 = "Qwen2ForCausalLM";

  /** The reader the service loader creates. */
  public LlamaFamily() {
    this(false, false);
  }

  @Override
  public Set<String> names() {
    return Set.of(LLAMA, MISTRAL, QWEN2);
  }

  @Override
  public ModelConfig read(String name, ConfigFields f) {
    boolean qwen2 = name.equals(QWEN2);
    boolean mistral = name.equals(MISTRAL);
    StandardDecoder.requireActivation(f, "silu", "silu");
    StandardDecoder.refuseMlpBias(f);
    StandardDecoder.Dimensions d = StandardDecoder.Dimensions.read(f);
    int maxPositions = f.optionalInt("max_position_embeddings", mistral ? 131072 : qwen2 ? 32768 : 2048);
    // Qwen2 always has q/k/v biases (no key); Mistral has none (no key)
    boolean bias = qwen2 || (!mistral && f.optionalBoolean("attention_bias", false));
    return new ModelConfig(new LlamaFamily(bias, bias && !qwen2), name, d.vocab(), d.hidden(), d.intermediate(), d.layers(), d.heads(), d.kvHeads(),
        d.headDim(), f.optionalDouble("rms_norm_eps", 1e-6), f.rope(10000.0, maxPositions),
        f.optionalBoolean("tie_word_embeddings", false), maxPositions, f.intList("eos_token_id"),
        qwen2 ? StandardDecoder.windowsAfterMaxWindowLayers(f, d.layers()) : mistral ? mistralWindows(f, d.layers()) : StandardDecoder.fullAttention(f, name, d.layers()),
        ModelConfig.FeedForwardShape.dense(3));
  }

  /** MistralConfig: {@code sliding_window} on every layer (null: none; default 4096); {@code layer_types} is not read. */
  private static List<Integer> mistralWindows(ConfigFields f, int layers) {
    int w = f.root().has("sliding_window") ? f.optionalInt("sliding_window", 0) : 4096;
    if (f.root().has("layer_types")) {
      // MistralModel ignores layer_types (transformers warns and points to Ministral): a different mask than declared
      throw new ModelFormatException(f.file(), "layer_types", "not read by " + MISTRAL + " in transformers (use the Ministral classes)");
    }
    return java.util.Collections.nCopies(layers, w);
  }

  @Override
  public DecoderBlock layer(ModelConfig c, int i, TensorSource w) {
    String p = StandardDecoder.layer(i);
    Norm inputNorm = Norm.rms(w.normWeight(p + "input_layernorm.weight", c.hiddenSize()), c.normEps(), w.compute());
    StandardDecoder.AttentionWeights a = StandardDecoder.attention(c, p, w, attentionBias, outputBias);
    Norm postNorm = Norm.rms(w.normWeight(p + "post_attention_layernorm.weight", c.hiddenSize()), c.normEps(), w.compute());
    FeedForward mlp = StandardDecoder.gatedMlp(c, p, w, FeedForward.Activation.SILU);
    Attention attention = new Attention(a.inputs(), a.output(), Attention.Shape.of(c, i), RotaryLayout.HALVES, w.compute());
    return DecoderBlock.sequential(inputNorm, attention, postNorm, mlp);
  }
}

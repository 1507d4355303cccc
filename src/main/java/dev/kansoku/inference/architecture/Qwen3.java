package dev.kansoku.inference.architecture;

import dev.kansoku.inference.Architecture;
import dev.kansoku.inference.Attention;
import dev.kansoku.inference.ConfigFields;
import dev.kansoku.inference.DecoderBlock;
import dev.kansoku.inference.FeedForward;
import dev.kansoku.inference.ModelConfig;
import dev.kansoku.inference.Norm;
import dev.kansoku.inference.RotaryLayout;
import dev.kansoku.inference.StandardDecoder;
import dev.kansoku.inference.TensorSource;
import java.util.Set;

/**
 * Qwen3 (modeling_qwen3): Llama's block with an RMSNorm over each head of the query and the key
 * ({@code self_attn.q_norm}, {@code k_norm}, on head_dim) before the rotary embedding, biases on all four attention
 * projections when {@code attention_bias} is set, and Qwen2's per-layer sliding windows. Qwen3Config's defaults:
 * head_dim 128 (not hidden_size / heads), 32,768 positions, rms_norm_eps 1e-6, rope_theta 1e4, an untied head.
 *
 * @param attentionBias biases on q, k, v and o ({@code attention_bias})
 */
public record Qwen3(boolean attentionBias) implements Architecture {
  /** The reader the service loader creates. */
  public Qwen3() {
    this(false);
  }

  @Override
  public Set<String> names() {
    return Set.of("Qwen3ForCausalLM");
  }

  @Override
  public ModelConfig read(String name, ConfigFields f) {
    StandardDecoder.requireActivation(f, "silu", "silu");
    StandardDecoder.Dimensions d = StandardDecoder.Dimensions.read(f, 128);
    int maxPositions = f.optionalInt("max_position_embeddings", 32768);
    return new ModelConfig(new Qwen3(f.optionalBoolean("attention_bias", false)), name, d.vocab(), d.hidden(), d.intermediate(),
        d.layers(), d.heads(), d.kvHeads(), d.headDim(), f.optionalDouble("rms_norm_eps", 1e-6), f.rope(10000.0, maxPositions),
        f.optionalBoolean("tie_word_embeddings", false), maxPositions, f.intList("eos_token_id"),
        StandardDecoder.windowsAfterMaxWindowLayers(f, d.layers()), ModelConfig.FeedForwardShape.dense(3));
  }

  @Override
  public DecoderBlock layer(ModelConfig c, int i, TensorSource w) {
    String p = StandardDecoder.layer(i);
    Norm inputNorm = Norm.rms(w.normWeight(p + "input_layernorm.weight", c.hiddenSize()), c.normEps(), w.compute());
    StandardDecoder.AttentionWeights a = StandardDecoder.attention(c, p, w, attentionBias, attentionBias);
    Norm queryNorm = Norm.rms(w.normWeight(p + "self_attn.q_norm.weight", c.headDim()), c.normEps(), w.compute());
    Norm keyNorm = Norm.rms(w.normWeight(p + "self_attn.k_norm.weight", c.headDim()), c.normEps(), w.compute());
    Norm postNorm = Norm.rms(w.normWeight(p + "post_attention_layernorm.weight", c.hiddenSize()), c.normEps(), w.compute());
    FeedForward mlp = StandardDecoder.gatedMlp(c, p, w, FeedForward.Activation.SILU);
    Attention attention = new Attention(a.inputs(), a.output(), queryNorm, keyNorm, Attention.Shape.of(c, i), RotaryLayout.HALVES,
        w.compute());
    return DecoderBlock.sequential(inputNorm, attention, postNorm, mlp);
  }
}

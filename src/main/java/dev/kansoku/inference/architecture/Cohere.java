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
 * Cohere / Command R (modeling_cohere): one mean-centred LayerNorm without bias feeding attention and MLP in
 * parallel, rotary pairs interleaved ({@code repeat_interleave} tables, even/odd rotation), a tied head whose logits
 * are multiplied by {@code logit_scale}. CohereConfig's defaults: rope_theta 5e5, 8,192 positions, eos 255001.
 *
 * @param logitScale {@code logit_scale}
 */
public record Cohere(double logitScale) implements Architecture {
  private static final String NAME = "CohereForCausalLM";

  /** The reader the service loader creates. */
  public Cohere() {
    this(0.0625);
  }

  @Override
  public Set<String> names() {
    return Set.of(NAME);
  }

  @Override
  public ModelConfig read(String name, ConfigFields f) {
    StandardDecoder.requireActivation(f, "silu", "silu");
    StandardDecoder.refuseMlpBias(f);
    // options of CohereConfig that Command R v01 does not use and this engine does not implement
    if (f.optionalBoolean("use_qk_norm", false)) {
      throw new ModelFormatException(f.file(), "use_qk_norm", "true is not implemented (Command R+ query/key norms)");
    }
    if (f.optionalBoolean("attention_bias", false)) {
      throw new ModelFormatException(f.file(), "attention_bias", "true is not implemented for " + NAME);
    }
    StandardDecoder.Dimensions d = StandardDecoder.Dimensions.read(f);
    int maxPositions = f.optionalInt("max_position_embeddings", 8192);
    return new ModelConfig(new Cohere(f.optionalDouble("logit_scale", 0.0625)), name, d.vocab(), d.hidden(), d.intermediate(), d.layers(),
        d.heads(), d.kvHeads(), d.headDim(), f.optionalDouble("layer_norm_eps", 1e-5), f.rope(5e5, maxPositions),
        f.optionalBoolean("tie_word_embeddings", true), maxPositions,
        f.root().has("eos_token_id") ? f.intList("eos_token_id") : List.of(255001), StandardDecoder.fullAttention(f, name, d.layers()),
        ModelConfig.FeedForwardShape.dense(3));
  }

  @Override
  public Embedder embedder(ModelConfig c, TensorSource w) {
    return StandardDecoder.embedding(c, w);
  }

  @Override
  public DecoderBlock layer(ModelConfig c, int i, TensorSource w) {
    String p = StandardDecoder.layer(i);
    Norm norm = Norm.centred(w.normWeight(p + "input_layernorm.weight", c.hiddenSize()), c.normEps(), w.compute());
    StandardDecoder.AttentionWeights a = StandardDecoder.attention(c, p, w, false);
    FeedForward mlp = StandardDecoder.gatedMlp(c, p, w, FeedForward.Activation.SILU);
    Attention attention = new Attention(a.inputs(), a.output(), Attention.Shape.of(c, i), RotaryLayout.INTERLEAVED, w.compute());
    return DecoderBlock.parallel(norm, attention, mlp);
  }

  @Override
  public OutputHead head(ModelConfig c, TensorSource w, Embedder embedding) {
    Norm norm = Norm.centred(w.normWeight(StandardDecoder.FINAL_NORM, c.hiddenSize()), c.normEps(), w.compute());
    return new OutputHead(norm, StandardDecoder.lmHead(c, w, embedding), logitScale, 0.0, w.compute());
  }

  @Override
  public RotaryLayout rotary() {
    return RotaryLayout.INTERLEAVED;
  }
}

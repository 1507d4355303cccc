package dev.kansoku.inference.architecture;

import ai.djl.ndarray.NDArray;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Mixtral (modeling_mixtral): Mistral's block with the MLP replaced by a sparse mixture of SwiGLU experts
 * ({@code block_sparse_moe}: a router and {@code num_local_experts} experts, the top {@code num_experts_per_tok} per
 * token). MixtralConfig's defaults: rope_theta 1e6, rms_norm_eps 1e-5, no sliding window unless set.
 */
public record Mixtral() implements Architecture {
  private static final String NAME = "MixtralForCausalLM";

  @Override
  public Set<String> names() {
    return Set.of(NAME);
  }

  @Override
  public ModelConfig read(String name, ConfigFields f) {
    StandardDecoder.requireActivation(f, "silu", "silu");
    StandardDecoder.refuseMlpBias(f);
    int experts = f.requiredInt("num_local_experts");
    int perToken = f.optionalInt("num_experts_per_tok", 2);
    if (perToken > experts) {
      throw new ModelFormatException(f.file(), "num_experts_per_tok", perToken + " exceeds num_local_experts " + experts);
    }
    f.inert("output_router_logits", "router_aux_loss_coef", "router_jitter_noise"); // training-only (jitter: self.training)
    StandardDecoder.Dimensions d = StandardDecoder.Dimensions.read(f);
    int maxPositions = f.optionalInt("max_position_embeddings", 131072);
    int window = f.root().has("sliding_window") ? f.optionalInt("sliding_window", 0) : 0;
    if (f.root().has("layer_types")) {
      throw new ModelFormatException(f.file(), "layer_types", "not read by " + NAME + " in transformers");
    }
    return new ModelConfig(this, name, d.vocab(), d.hidden(), d.intermediate(), d.layers(), d.heads(), d.kvHeads(), d.headDim(),
        f.optionalDouble("rms_norm_eps", 1e-5), f.rope(1e6, maxPositions), f.optionalBoolean("tie_word_embeddings", false), maxPositions,
        f.intList("eos_token_id"), java.util.Collections.nCopies(d.layers(), window),
        new ModelConfig.FeedForwardShape(3, experts, perToken));
  }

  @Override
  public DecoderBlock layer(ModelConfig c, int i, TensorSource w) {
    String p = StandardDecoder.layer(i);
    long d = c.hiddenSize();
    long inner = c.intermediateSize();
    Norm inputNorm = Norm.rms(w.normWeight(p + "input_layernorm.weight", d), c.normEps(), w.compute());
    StandardDecoder.AttentionWeights a = StandardDecoder.attention(c, p, w, false);
    Norm postNorm = Norm.rms(w.normWeight(p + "post_attention_layernorm.weight", d), c.normEps(), w.compute());
    NDArray router = w.matrix(p + "block_sparse_moe.gate.weight", c.feedForward().experts(), d);
    List<FeedForward> experts = new ArrayList<>();
    for (int e = 0; e < c.feedForward().experts(); e++) {
      String q = p + "block_sparse_moe.experts." + e + ".";
      // w2(silu(w1 x) · w3 x)
      experts.add(FeedForward.gated(w.linear(q + "w1", false, inner, d), w.linear(q + "w3", false, inner, d),
          w.linear(q + "w2", false, d, inner), FeedForward.Activation.SILU));
    }
    FeedForward moe = FeedForward.sparseMixture(router, experts, c.feedForward().expertsPerToken(), w.compute());
    Attention attention = new Attention(a.inputs(), a.output(), Attention.Shape.of(c, i), RotaryLayout.HALVES, w.compute());
    return DecoderBlock.sequential(inputNorm, attention, postNorm, moe);
  }
}

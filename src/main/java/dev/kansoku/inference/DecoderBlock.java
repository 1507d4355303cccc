package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;

/** One decoder layer: hidden states in, hidden states out, with its part of the KV cache. */
public interface DecoderBlock {
  NDArray apply(NDArray x, Pass pass, KvCache cache, int layerIndex);

  /**
   * The pre-norm residual block: h = x + outNorm₁(attention(norm₁ x)); out = h + outNorm₂(ffn(norm₂ h)). Llama's family,
   * Mixtral and GPT-2 have no output norms ({@link Norm#NONE}); Gemma 2 has all four.
   */
  static DecoderBlock sequential(Norm attentionNorm, Attention attention, Norm attentionOutputNorm, Norm ffnNorm, FeedForward ffn,
                                 Norm ffnOutputNorm) {
    return (x, pass, cache, i) -> {
      NDArray afterAttention = x.add(attentionOutputNorm.apply(attention.apply(attentionNorm.apply(x), pass, cache, i)));
      return afterAttention.add(ffnOutputNorm.apply(ffn.apply(ffnNorm.apply(afterAttention))));
    };
  }

  /** Pre-norm residual block without output norms. */
  static DecoderBlock sequential(Norm attentionNorm, Attention attention, Norm ffnNorm, FeedForward ffn) {
    return sequential(attentionNorm, attention, Norm.NONE, ffnNorm, ffn, Norm.NONE);
  }

  /** Cohere's parallel block: x + attention(norm x) + ffn(norm x), both from the one norm. */
  static DecoderBlock parallel(Norm norm, Attention attention, FeedForward ffn) {
    return (x, pass, cache, i) -> {
      NDArray h = norm.apply(x);
      return x.add(attention.apply(h, pass, cache, i)).add(ffn.apply(h));
    };
  }
}

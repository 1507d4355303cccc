package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The final norm and the LM head. transformers returns float32 logits whatever the compute dtype; Cohere first
 * multiplies them by {@code logit_scale} in the compute dtype, Gemma 2 soft-caps them (cap · tanh(logits / cap)).
 */
public record OutputHead(Norm finalNorm, NDArray head, double logitScale, double softcap, Compute compute) {
  /** A plain head: no scale, no cap. */
  public static OutputHead of(Norm finalNorm, NDArray head, Compute compute) {
    return new OutputHead(finalNorm, head, 1.0, 0.0, compute);
  }

  NDArray logits(NDArray hidden) {
    NDArray logits = compute.bfloat16() != null ? compute.bfloat16().linear(hidden, head) : Projection.linear(hidden, head, null);
    if (logitScale != 1.0) {
      logits = logits.mul(logitScale);
    }
    if (softcap > 0) {
      logits = logits.div(softcap).tanh().mul(softcap);
    }
    return logits.toType(DataType.FLOAT32, false);
  }
}

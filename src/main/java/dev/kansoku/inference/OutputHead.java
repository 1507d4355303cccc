package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * The final norm and the LM head. transformers returns float32 logits whatever the compute dtype; Cohere first
 * multiplies them by {@code logit_scale} in the compute dtype, Gemma 2 soft-caps them (cap · tanh(logits / cap)).
 */
public record OutputHead(Norm finalNorm, NDArray head, double logitScale, double softcap, Compute compute) {
  /**
   * Vocabulary rows of the head multiplied at a time on a CPU. The CPU GEMM kernels handle a few feature rows against
   * a wide weight poorly (the bundled tokenizer's 48,586 × 2,048 head: 91 ms for 16 rows at once, 42 ms in blocks of
   * 2,048 vocabulary rows; 1,101 → 922 ms for 1,024 rows), and splitting the output dimension leaves each logit's sum
   * over the hidden dimension as it was: the same bits (measured for 4–1,024 rows and five shapes; the logits digests
   * of 26 checkpoints in three dtypes unchanged). A GPU takes the head in one product.
   */
  static final int CPU_VOCAB_BLOCK = 2048;

  /** A plain head: no scale, no cap. */
  public static OutputHead of(Norm finalNorm, NDArray head, Compute compute) {
    return new OutputHead(finalNorm, head, 1.0, 0.0, compute);
  }

  NDArray logits(NDArray hidden) {
    long vocab = head.getShape().get(0);
    NDArray logits;
    if (vocab <= CPU_VOCAB_BLOCK || head.getDevice().isGpu()) {
      logits = product(hidden, head);
    } else {
      NDList parts = new NDList();
      for (long from = 0; from < vocab; from += CPU_VOCAB_BLOCK) {
        parts.add(product(hidden, head.get(from + ":" + Math.min(vocab, from + CPU_VOCAB_BLOCK))));
      }
      logits = NDArrays.concat(parts, -1);
      parts.close();
    }
    if (logitScale != 1.0) {
      logits = logits.mul(logitScale);
    }
    if (softcap > 0) {
      logits = logits.div(softcap).tanh().mul(softcap);
    }
    return logits.toType(DataType.FLOAT32, false);
  }

  private NDArray product(NDArray hidden, NDArray weight) {
    return compute.bfloat16() != null ? compute.bfloat16().linear(hidden, weight) : Projection.linear(hidden, weight, null);
  }
}

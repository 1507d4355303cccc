package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;

/**
 * A linear map with an optional bias, nn.Linear's x Wᵀ + b with W held [out, in]. GPT-2's Conv1D weights, stored
 * [in, out], are transposed while loading: PyTorch's CPU matmul for float16 has no fast kernel for a contiguous
 * right operand (measured: x W 15–20× slower than x Wᵀ at 1,024 × 3,072, and Fugaku-13B-shaped generation stalled).
 * With bf16 matrices the product runs through {@link Bfloat16Ops}.
 */
public record Projection(NDArray weight, NDArray bias, Bfloat16Ops bfloat16) {
  public NDArray apply(NDArray x) {
    if (bfloat16 == null) {
      return linear(x, weight, bias);
    }
    NDArray y = bfloat16.linear(x, weight);
    return bias == null ? y : y.add(bias);
  }

  static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
  }
}

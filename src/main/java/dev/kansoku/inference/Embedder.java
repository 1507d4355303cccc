package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;

/** Token ids (and their positions) to the first hidden states. */
public interface Embedder {
  NDArray apply(NDArray ids, NDArray positions);

  /** The token embedding matrix (vocab, hidden): the LM head of a tied model. */
  NDArray tokenMatrix();

  /** Looks up the rows of {@code table} (bf16 tables through {@link Bfloat16Ops}). */
  private static NDArray lookup(NDArray ids, NDArray table, Compute compute) {
    return compute.bfloat16() != null ? compute.bfloat16().embedding(ids, table)
        : ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
  }

  /** The token's row of the embedding. */
  static Embedder tokens(NDArray table, Compute compute) {
    return new Embedder() {
      @Override
      public NDArray apply(NDArray ids, NDArray positions) {
        return lookup(ids, table, compute);
      }

      @Override
      public NDArray tokenMatrix() {
        return table;
      }
    };
  }

  /**
   * The token's row times a constant, rounded first to the embedding's dtype as Gemma's scaled embedding does
   * ({@code embed_scale.to(self.weight.dtype)}: √hidden in bf16 for a bf16 model), the product in the activations'.
   */
  static Embedder scaledTokens(NDArray table, double scale, Compute compute) {
    // bf16 matrices: the scale rounded to bf16, then multiplied in the float32 activations
    float rounded = compute.matrices() == ai.djl.ndarray.types.DataType.BFLOAT16
        ? SafetensorsWriter.fromBfloat16(SafetensorsWriter.toBfloat16((float) scale)) : (float) scale;
    return new Embedder() {
      @Override
      public NDArray apply(NDArray ids, NDArray positions) {
        NDArray x = lookup(ids, table, compute);
        // float16: a float16 tensor times the scale as a float16 tensor (PyTorch rounds it by the cast)
        return x.getDataType() == ai.djl.ndarray.types.DataType.FLOAT16
            ? x.mul(x.getManager().create(rounded).toType(ai.djl.ndarray.types.DataType.FLOAT16, false)) : x.mul(rounded);
      }

      @Override
      public NDArray tokenMatrix() {
        return table;
      }
    };
  }

  /**
   * GPT-2: wte[ids] + wpe[positions]. Real tokens stay below n_positions (the engine cuts to it); padding columns may
   * be numbered past it, and are clamped so that they index a vector (their outputs are never read).
   */
  static Embedder withLearnedPositions(NDArray table, NDArray positionTable, int maxPositions, Compute compute) {
    return new Embedder() {
      @Override
      public NDArray apply(NDArray ids, NDArray positions) {
        NDArray x = lookup(ids, table, compute);
        NDArray clamped = positions.clip(0, maxPositions - 1);
        return x.add(ids.getNDArrayInternal().embedding(clamped, positionTable, SparseFormat.DENSE).singletonOrThrow());
      }

      @Override
      public NDArray tokenMatrix() {
        return table;
      }
    };
  }

}

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
   * The token's row times a constant rounded to the compute dtype first (Gemma: √hidden as
   * {@code torch.tensor(hidden_size ** 0.5, dtype=hidden.dtype)}).
   */
  static Embedder scaledTokens(NDArray table, double scale, Compute compute) {
    return new Embedder() {
      @Override
      public NDArray apply(NDArray ids, NDArray positions) {
        NDArray x = lookup(ids, table, compute);
        NDArray normalizer = x.getManager().create((float) scale).toType(x.getDataType(), false);
        return x.mul(normalizer);
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

package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;

/**
 * Where an {@link Architecture} takes its tensors from, by checkpoint name and stored shape: a checkpoint being
 * loaded (arrays checked against the shape), or a lister that records the checkpoint's tensor table (null arrays).
 * Assembly code must therefore only keep the arrays, never compute with them, and ask for tensors in checkpoint order.
 */
public interface TensorSource {
  /** A matrix that is multiplied or looked up: held in the matrices' dtype (bf16 stays bf16). */
  NDArray matrix(String name, long... shape);

  /** A bias or position table: held in the activations' dtype. */
  NDArray vector(String name, long... shape);

  /** A norm's weight (held in the activations' dtype). */
  NDArray normWeight(String name, long size);

  /** A matrix stored [rows, columns] (GPT-2's Conv1D) and held transposed, as a Linear's [out, in]. */
  NDArray transposedMatrix(String name, long rows, long columns);

  /** The dtypes the layers compute in. */
  Compute compute();

  /** Whether the checkpoint stores {@code name} (a lister: always). */
  boolean has(String name);

  /** A Linear's weight [out, in] and, with {@code bias}, its bias, in that order. */
  default Projection linear(String name, boolean bias, long out, long in) {
    NDArray weight = matrix(name + ".weight", out, in);
    return new Projection(weight, bias ? vector(name + ".bias", out) : null, compute().bfloat16());
  }

  /** GPT-2's Conv1D: weight stored [in, out] and its bias. */
  default Projection conv1d(String name, long in, long out) {
    NDArray weight = transposedMatrix(name + ".weight", in, out);
    return new Projection(weight, vector(name + ".bias", out), compute().bfloat16());
  }
}

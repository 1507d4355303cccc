package dev.kansoku.inference;

import ai.djl.ndarray.types.DataType;

/**
 * How a loaded model computes: the activations' dtype (float32 or float16; float32 under bf16 weights), the bf16
 * module when matrices are bf16 ({@link Bfloat16Ops}; null otherwise), and the bytes of attention scores one block
 * of queries may hold ({@link DjlEngine#ATTENTION_BYTES}; lowered by tests to exercise blocked attention).
 */
public final class Compute {
  /** What a tensor lister hands to assembly code (nothing is computed). */
  static final Compute LISTING = new Compute(DataType.FLOAT32, DataType.FLOAT32, null);

  private final DataType activations;
  private final DataType matrices;
  private final Bfloat16Ops bfloat16;
  private volatile long attentionCap = Attention.ATTENTION_BYTES;

  Compute(DataType activations, DataType matrices, Bfloat16Ops bfloat16) {
    this.activations = activations;
    this.matrices = matrices;
    this.bfloat16 = bfloat16;
  }

  public DataType dtype() {
    return activations;
  }

  DataType matrices() {
    return matrices;
  }

  public Bfloat16Ops bfloat16() {
    return bfloat16;
  }

  long attentionCap() {
    return attentionCap;
  }

  void attentionCap(long bytes) {
    this.attentionCap = bytes;
  }
}

package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** A normalisation over the last dimension, as one transformers module computes it (dtype casts included). */
public interface Norm {
  NDArray apply(NDArray x);

  /** No norm: {@code x} itself (where a block has no norm in that place). */
  Norm NONE = x -> x;

  /** LlamaRMSNorm: normalised in float32, cast back to the compute dtype, then scaled by the weight. */
  static Norm rms(NDArray weight, double eps, Compute compute) {
    return x -> {
      NDArray x32 = x.toType(DataType.FLOAT32, false);
      NDArray variance = x32.square().mean(new int[] {-1}, true);
      return x32.mul(variance.add(eps).sqrt().pow(-1)).toType(compute.dtype(), false).mul(weight);
    };
  }

  /**
   * Gemma's RMSNorm: normalised and scaled by (1 + weight) in float32 (the weight is stored as an offset from one),
   * then cast back.
   */
  static Norm rmsUnitOffset(NDArray weight, double eps, Compute compute) {
    return x -> {
      NDArray x32 = x.toType(DataType.FLOAT32, false);
      NDArray variance = x32.square().mean(new int[] {-1}, true);
      return x32.mul(variance.add(eps).sqrt().pow(-1)).mul(weight.toType(DataType.FLOAT32, false).add(1.0))
          .toType(compute.dtype(), false);
    };
  }

  /** CohereLayerNorm: centred and scaled in float32, multiplied by the weight in float32, then cast back; no bias. */
  static Norm centred(NDArray weight, double eps, Compute compute) {
    return x -> {
      NDArray x32 = x.toType(DataType.FLOAT32, false);
      NDArray centred = x32.sub(x32.mean(new int[] {-1}, true));
      NDArray variance = centred.square().mean(new int[] {-1}, true);
      return weight.toType(DataType.FLOAT32, false).mul(centred.mul(variance.add(eps).sqrt().pow(-1))).toType(compute.dtype(), false);
    };
  }

  /**
   * torch.nn.LayerNorm with weight and bias through torch's own kernel, in float32 (its CPU and CUDA kernels accumulate
   * half inputs in float32 too), cast back to the compute dtype.
   */
  static Norm layerNorm(NDArray weight, NDArray bias, double eps, Compute compute) {
    return x -> {
      NDArray x32 = x.toType(DataType.FLOAT32, false);
      Shape last = new Shape(x.getShape().get(x.getShape().dimension() - 1));
      return x32.getNDArrayInternal().layerNorm(x32, last, weight.toType(DataType.FLOAT32, false),
          bias.toType(DataType.FLOAT32, false), (float) eps).singletonOrThrow().toType(compute.dtype(), false);
    };
  }
}

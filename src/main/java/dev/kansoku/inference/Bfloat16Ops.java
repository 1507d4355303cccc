package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;

/**
 * bfloat16 weights on DJL 0.36, whose PyTorch JNI aborts the JVM on any call that passes the bfloat16 dtype
 * (its dtype switch has no case for it and ends in a bare {@code throw;}: see {@code DjlBfloat16Reproducer}).
 * Every bf16 tensor is created, filled and multiplied inside the methods of a parameter-free TorchScript module
 * ({@code bfloat16_ops.pt}, written by {@code src/test/python/make_bfloat16_ops.py}), which never pass a DJL dtype;
 * {@link #linear} and {@link #embedding} take and return float32, so the rest of the forward pass never holds a
 * bf16 activation. The scheme is bf16 weights and bf16 matrix products (inputs rounded to bf16, float32
 * accumulation, outputs rounded to bf16) with float32 everywhere else — norms, residuals, attention, KV cache.
 */
final class Bfloat16Ops implements AutoCloseable {
  private static final String RESOURCE = "bfloat16_ops.pt";
  private final PtSymbolBlock module;
  private final PtNDManager manager;

  private Bfloat16Ops(PtSymbolBlock module, PtNDManager manager) {
    this.module = module;
    this.manager = manager;
  }

  /** Loads the module (CPU-resident; it has no weights, and the tensors it makes go where its arguments are). */
  static Bfloat16Ops load(NDManager parent) throws IOException {
    PtNDManager m = (PtNDManager) parent.newSubManager(ai.djl.Device.cpu());
    try (InputStream in = Bfloat16Ops.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException("classpath resource " + RESOURCE + " is missing from the Kansoku jar");
      }
      return new Bfloat16Ops(JniUtils.loadModule(m, in, false, false), m);
    } catch (IOException | RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** An uninitialised bf16 tensor of {@code shape} on {@code on}'s device, attached to {@code on}. */
  NDArray empty(Shape shape, NDManager on) {
    try (NDArray like = on.zeros(new Shape(1))) {
      return tensor(run("empty", IValue.listFrom(shape.getShape()), IValue.from((PtNDArray) like)), on);
    }
  }

  /** {@code dest[start : start + rows.rows] = rows}, cast to bf16 on the way (exact for bf16 values). */
  void fillRows(NDArray dest, NDArray rows, long start) {
    run("fill_rows", IValue.from((PtNDArray) dest), IValue.from((PtNDArray) rows), IValue.from(start)).close();
  }

  /** {@code dest[:, start : start + rows.rows] = rowsᵀ} (a Conv1D weight held as a Linear's). */
  void fillColumns(NDArray dest, NDArray rows, long start) {
    run("fill_columns", IValue.from((PtNDArray) dest), IValue.from((PtNDArray) rows), IValue.from(start)).close();
  }

  /** x Wᵀ for float32 {@code x} and bf16 {@code w}: the product in bf16, returned as float32 on x's manager. */
  NDArray linear(NDArray x, NDArray w) {
    return tensor(run("linear", IValue.from((PtNDArray) x), IValue.from((PtNDArray) w)), x.getManager());
  }

  /** Rows {@code ids} of a bf16 embedding, as float32 (exact), on ids' manager. */
  NDArray embedding(NDArray ids, NDArray w) {
    return tensor(run("embedding", IValue.from((PtNDArray) ids), IValue.from((PtNDArray) w)), ids.getManager());
  }

  /** Runs a method; its arguments' IValue wrappers are released here (the tensors stay). */
  private IValue run(String method, IValue... args) {
    try {
      return IValueUtils.runMethod(module, method, args);
    } finally {
      for (IValue a : args) {
        a.close();
      }
    }
  }

  private static NDArray tensor(IValue result, NDManager on) {
    try (result) {
      return result.toTensor((PtNDManager) on);
    }
  }

  @Override
  public void close() {
    module.close();
    manager.close();
  }
}

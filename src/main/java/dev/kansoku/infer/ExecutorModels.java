package dev.kansoku.infer;

import dev.kansoku.inference.ModelPool;
import java.util.concurrent.Semaphore;

/**
 * What one executor JVM shares between its task threads: the model pool (a model stays loaded across tasks) and the
 * limit on batches computed at once. Spark gives tasks no executor-scoped object to hang them on, so this class is
 * that scope, and the only one; the pool and the limit themselves are ordinary objects.
 */
public final class ExecutorModels {
  /** The pool the executor's tasks lease models from. */
  public static final ModelPool POOL = new ModelPool();

  private static Semaphore batchSlots;

  private ExecutorModels() {}

  /** The JVM's limit on batches computed at once ({@code inference.parallel-batches}), fixed by the first task. */
  static synchronized Semaphore batchSlots(int permits) {
    if (batchSlots == null) {
      batchSlots = new Semaphore(permits, true);
    }
    return batchSlots;
  }
}

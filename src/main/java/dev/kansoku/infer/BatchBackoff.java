package dev.kansoku.infer;

import dev.kansoku.inference.BatchShapes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a batch so that one failure costs as little as possible. Out of memory (a GPU, or a CPU allocator
 * refusing a batch's activations) retries the batch in forward passes of half the rows, down to one row,
 * instead of failing the task: the retried responses are computed at the smaller shape (their {@code batch_size}
 * says which), so their last bits may differ from the configured shape's (docs/bit-identity.md). Any other
 * failure retries the requests one by one at the same shapes (so with the same bits), and a bad request costs only
 * its own row. A request that still fails becomes a failed row (retried by the next run).
 */
public final class BatchBackoff {
  private static final Logger LOG = LoggerFactory.getLogger(BatchBackoff.class);

  private BatchBackoff() {}

  public static <T, R> List<R> run(List<T> batch, BatchShapes shapes, BiFunction<List<T>, BatchShapes, List<R>> compute,
                                   BiFunction<T, RuntimeException, R> failed) {
    try {
      return compute.apply(batch, shapes);
    } catch (RuntimeException e) {
      if (isOutOfMemory(e) && shapes.maxRows() > 1) {
        BatchShapes half = shapes.halved();
        LOG.warn("out of memory on {} requests in passes of up to {} rows, retrying in passes of up to {} rows "
            + "(lower inference.batch-size or batch-tokens to keep the configured shapes): {}", batch.size(),
            shapes.maxRows(), half.maxRows(), firstLine(e));
        return run(batch, half, compute, failed);
      }
      if (batch.size() == 1) {
        return List.of(failed.apply(batch.get(0), e));
      }
      List<R> out = new ArrayList<>(batch.size());
      for (T r : batch) {
        try {
          out.addAll(compute.apply(List.of(r), shapes));
        } catch (RuntimeException single) {
          out.add(failed.apply(r, single));
        }
      }
      return out;
    }
  }

  /** PyTorch's messages: "CUDA out of memory. Tried to allocate …", "DefaultCPUAllocator: not enough memory: …" (older: "can't allocate memory"). */
  static boolean isOutOfMemory(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.contains("out of memory") || m.contains("not enough memory") || m.contains("can't allocate memory")
          || m.contains("OutOfMemory"))) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}

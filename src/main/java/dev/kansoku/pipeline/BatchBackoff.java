package dev.kansoku.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a batch so that one failure costs as little as possible. Out of memory (a GPU, or a CPU allocator
 * refusing a batch's activations) halves the batch and retries each half, down to single requests, instead of
 * failing the task; any other failure retries the requests one by one, so a bad request costs only its own row.
 * A request that still fails becomes a failed row (retried by the next run).
 */
final class BatchBackoff {
  private static final Logger LOG = LoggerFactory.getLogger(BatchBackoff.class);

  private BatchBackoff() {}

  static <T, R> List<R> run(List<T> batch, Function<List<T>, List<R>> compute, BiFunction<T, RuntimeException, R> failed) {
    try {
      return compute.apply(batch);
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        return List.of(failed.apply(batch.get(0), e));
      }
      List<R> out = new ArrayList<>(batch.size());
      if (isOutOfMemory(e)) {
        int half = batch.size() / 2;
        LOG.warn("out of memory on a batch of {} requests, retrying as {} + {}: {}", batch.size(), half, batch.size() - half,
            firstLine(e));
        out.addAll(run(batch.subList(0, half), compute, failed));
        out.addAll(run(batch.subList(half, batch.size()), compute, failed));
        return out;
      }
      for (T r : batch) {
        try {
          out.addAll(compute.apply(List.of(r)));
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

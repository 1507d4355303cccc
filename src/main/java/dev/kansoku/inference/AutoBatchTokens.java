package dev.kansoku.inference;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code inference.batch-tokens = auto}: the token budget of a forward pass sized from the loaded model and the
 * memory its device has left, as lm-evaluation-harness's {@code --batch_size auto} sizes batches (it searches
 * downwards from a large batch until one fits; here the size is computed, and the out-of-memory back-off of
 * {@code BatchBackoff} stays the safety net). A pass of T tokens holds, per token, the activations of one layer
 * at a time and, when generating, every layer's keys and values; attention scores are already bounded by
 * {@link DjlEngine#ATTENTION_BYTES} and the logits by their fixed row count, so they are a fixed overhead.
 *
 * <p>The budget is rounded down to a power of two, so small changes in free memory rarely change it — a response's
 * bits depend on the budget (docs/bit-identity.md): a run compared across machines should set a number instead.
 * On CPU it is capped at {@link #CPU_MAX}: larger passes are slower there (measured, docs/benchmarks.md: the 50M
 * model scored 1.68× faster at 2,048 tokens per pass than at 8,192).
 */
public final class AutoBatchTokens {
  static final int MIN = 256;
  static final int GPU_MAX = 1 << 16;
  static final int CPU_MAX = 2048;
  /** Share of the free memory given to the passes of one model (the rest: allocator slack, other processes). */
  static final double FREE_SHARE = 0.5;

  /** The resolved budget and what it came from (logged once per model). */
  public record Estimate(int tokens, long freeBytes, long fixedBytes, long bytesPerToken, int concurrentBatches, boolean gpu) {
    @Override
    public String toString() {
      return String.format("%d tokens per pass (%s: %.1f GiB free, half of it over %d concurrent batch(es), %.0f MiB fixed, "
              + "%.1f KiB per token)", tokens, gpu ? "GPU" : "CPU", freeBytes / (double) (1L << 30), concurrentBatches,
          fixedBytes / (double) (1L << 20), bytesPerToken / 1024.0);
    }
  }

  private AutoBatchTokens() {}

  /**
   * Bytes one token adds to a forward pass: one layer's activations (residual, norm output, q/k/v, attention output,
   * the MLP's intermediates — the routed experts' for a mixture) plus every layer's keys and values, in the
   * activations' dtype (float32 for bf16 compute, whose products alone are bf16).
   */
  static long bytesPerToken(ModelConfig c, int activationBytes) {
    long q = (long) c.numHeads() * c.headDim();
    long kv = (long) c.numKvHeads() * c.headDim();
    long mlpMatrices = c.feedForward().matrices();
    long inner = (long) c.intermediateSize() * Math.max(1, c.feedForward().isMixture() ? c.feedForward().expertsPerToken() : 1);
    long activations = 4L * c.hiddenSize() + 2 * q + 2 * kv + mlpMatrices * inner;
    // norms, softmax and rotary run in float32 whatever the compute dtype: their copies of the hidden state
    long float32Copies = 3L * c.hiddenSize() * 4;
    long cache = 2L * c.numLayers() * kv * activationBytes;
    return activations * activationBytes + float32Copies + cache;
  }

  /** The fixed part of a pass: the attention-score chunk and the logits of {@link BatchShapes#LOGIT_ROWS} rows (and log-softmax). */
  static long fixedBytes(ModelConfig c) {
    return Attention.ATTENTION_BYTES + 2L * BatchShapes.LOGIT_ROWS * c.vocabSize() * 4;
  }

  static Estimate of(ModelConfig c, int activationBytes, long freeBytes, int concurrentBatches, boolean gpu) {
    int batches = Math.max(1, concurrentBatches);
    long perToken = bytesPerToken(c, activationBytes);
    long fixed = fixedBytes(c);
    long usable = (long) (freeBytes * FREE_SHARE) / batches - fixed;
    long tokens = Math.max(0, usable) / perToken;
    int max = gpu ? GPU_MAX : CPU_MAX;
    int budget = tokens >= max ? max : Math.max(MIN, Integer.highestOneBit((int) Math.max(1, tokens)));
    return new Estimate(budget, freeBytes, fixed, perToken, batches, gpu);
  }

  /**
   * Free memory of {@code device} now, with the model loaded: the GPU's (CUDA's free bytes, or the configured
   * {@code device-memory-gib} less the weights), or the host's available memory (/proc/meminfo's MemAvailable).
   */
  static long freeBytes(Device device, double configuredGib, long weightBytes) {
    if (configuredGib > 0) {
      return Math.max(0, (long) (configuredGib * (1L << 30)) - weightBytes);
    }
    if (device.isGpu()) {
      MemoryUsage usage = CudaUtils.getGpuMemory(device);
      return Math.max(0, usage.getMax() - usage.getCommitted());
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) << 10;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: the JVM's view of physical memory below
    }
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getFreeMemorySize();
  }
}

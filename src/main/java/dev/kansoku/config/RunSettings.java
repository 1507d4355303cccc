package dev.kansoku.config;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The validated {@code kansoku} section: what to run, where results go, Spark and inference settings.
 * {@code commitEvery}: inference is committed to the responses table in chunks of about this many requests,
 * so a run that dies keeps every finished chunk. {@code maxBadRowShare}: a task whose malformed dataset rows exceed this share of its rows stops the run.
 */
public record RunSettings(
    String resultsDir,
    String suite,
    List<String> models,
    int limit,
    double maxBadRowShare,
    String sparkMaster,
    String sparkAppName,
    int inferencePartitions,
    Map<String, String> sparkSettings,
    int batchSize,
    int batchTokens,
    int parallelBatches,
    int commitEvery,
    int maxLength,
    int torchThreads,
    DeviceMemory deviceMemory,
    int progressSeconds,
    String modelCacheDir,
    AnalysisSettings analysis,
    SandboxSettings sandbox) implements Serializable {
  /** {@code inference.batch-tokens = "auto"}: each executor sizes the budget from the model and its memory. */
  public static final int AUTO_BATCH_TOKENS = -1;
}

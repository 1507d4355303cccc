package dev.kansoku.inference;

import java.util.List;

/** What the evaluation pipeline asks of a model: batched scoring and batched generation. */
public interface CausalLanguageModel extends AutoCloseable {
  List<LoglikelihoodResult> loglikelihood(List<LoglikelihoodRequest> batch);

  /** As {@link #loglikelihood(List)}, in forward passes of {@code shapes} (docs/bit-identity.md). */
  List<LoglikelihoodResult> loglikelihood(List<LoglikelihoodRequest> batch, BatchShapes shapes);

  List<GenerationResult> generate(List<GenerationRequest> batch);

  /** As {@link #generate(List)}, in forward passes of {@code shapes}. */
  List<GenerationResult> generate(List<GenerationRequest> batch, BatchShapes shapes);

  /** Forward passes run since load (one per batch for scoring, one per decoding step for generation). */
  long forwardPasses();

  /**
   * Forward passes run by the calling thread since load. Several task slots share one loaded model, so the
   * difference of {@link #forwardPasses} around a batch would count the other slots' passes too.
   */
  long forwardPassesOnThisThread();

  TextTokenizer tokenizer();

  /**
   * The token budget of a forward pass for {@code inference.batch-tokens = auto}, from this model and its device's
   * free memory ({@link AutoBatchTokens}); resolved once, at the first call, and the same afterwards.
   *
   * @param configuredGib {@code inference.device-memory-gib} (0 = the device's own figure)
   * @param concurrentBatches batches this JVM computes on the model at once
   */
  AutoBatchTokens.Estimate autoBatchTokens(double configuredGib, int concurrentBatches);

  @Override
  void close();
}

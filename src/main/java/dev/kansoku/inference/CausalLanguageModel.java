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

  @Override
  void close();
}

package dev.kansoku.inference;

import java.util.List;

/** What the evaluation pipeline asks of a model: batched scoring and batched generation. */
public interface CausalLanguageModel extends AutoCloseable {
  List<LoglikelihoodResult> loglikelihood(List<LoglikelihoodRequest> batch);

  List<GenerationResult> generate(List<GenerationRequest> batch);

  /** Forward passes run since load (one per batch for scoring, one per decoding step for generation). */
  long forwardPasses();

  TextTokenizer tokenizer();

  @Override
  void close();
}

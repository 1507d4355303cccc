package dev.kansoku.metric;

import dev.kansoku.config.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A task's per-example scoring, engine-neutral (no Spark): each of the task's {@link Metrics} scores the example
 * from all of its responses (one per choice, or the generations), with the task's answer settings.
 */
public final class ExampleScorer {
  private final List<Metric> metrics;
  private final ScoringContext context;

  public ExampleScorer(List<String> metrics, TaskSpec.Answer answer) {
    this(metrics, answer, null);
  }

  /** @param modelPieces the model tokenizer's pieces of a text (transformers' {@code tokenize}), for model-token metrics */
  public ExampleScorer(List<String> metrics, TaskSpec.Answer answer, Function<String, List<String>> modelPieces) {
    this.metrics = metrics.stream().map(Metrics::named).toList();
    this.context = new ScoringContext(answer, modelPieces);
  }

  /** Scores one example from all of its responses (one per choice, or one generation). */
  public List<ExampleScore> score(List<ChoiceResponse> responses) {
    List<ExampleScore> out = new ArrayList<>();
    for (Metric metric : metrics) {
      out.addAll(metric.score(responses, context));
    }
    return out;
  }
}

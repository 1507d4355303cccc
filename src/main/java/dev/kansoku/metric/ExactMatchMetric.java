package dev.kansoku.metric;

import dev.kansoku.text.Golds;
import java.util.List;

/** {@code exact_match}: the post-processed prediction equals one of the golds under the task's {@link ExactMatch} rules. */
final class ExactMatchMetric implements Metric {
  @Override
  public String name() {
    return "exact_match";
  }

  @Override
  public List<ExampleScore> score(List<ChoiceResponse> responses, ScoringContext context) {
    ChoiceResponse r = ScoringContext.generation(responses);
    String prediction = context.prediction(r);
    List<String> golds = Golds.split(r.gold()).stream().map(context.postprocess()::gold).toList();
    return List.of(new ExampleScore(name(), context.exactMatch().matches(prediction, golds) ? 1.0 : 0.0, prediction, r.gold()));
  }

  @Override
  public AggregateState newState() {
    return new MeanState();
  }
}

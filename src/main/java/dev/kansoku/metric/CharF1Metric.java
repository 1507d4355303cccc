package dev.kansoku.metric;

import java.util.List;

/** {@code char_f1}: llm-jp-eval's ({@link CharF1}) of the post-processed prediction and gold. */
final class CharF1Metric implements Metric {
  @Override
  public String name() {
    return "char_f1";
  }

  @Override
  public List<ExampleScore> score(List<ChoiceResponse> responses, ScoringContext context) {
    ChoiceResponse r = ScoringContext.generation(responses);
    String prediction = context.prediction(r);
    String gold = context.postprocess().gold(r.gold());
    return List.of(new ExampleScore(name(), CharF1.score(prediction, gold), prediction, gold));
  }

  @Override
  public AggregateState newState() {
    return new MeanState();
  }
}

package dev.kansoku.metric;

import java.util.List;

/** {@code rouge2}: ROUGE-2 F of the prediction against the gold ({@link Rouge2}; Japanese text in morphemes). */
final class Rouge2Metric implements Metric {
  @Override
  public String name() {
    return "rouge2";
  }

  @Override
  public List<ExampleScore> score(List<ChoiceResponse> responses, ScoringContext context) {
    ChoiceResponse r = ScoringContext.generation(responses);
    String prediction = context.prediction(r);
    return List.of(new ExampleScore(name(), Rouge2.fmeasure(r.gold(), prediction, context.japaneseSegmenter()), prediction, r.gold()));
  }

  @Override
  public AggregateState newState() {
    return new MeanState();
  }
}

package dev.kansoku.metric;

import java.util.List;

/**
 * {@code rouge2_jp_harness}: ROUGE-2 on the model's token pieces, aggregated as the JP harness aggregates XL-Sum
 * ({@link JpHarnessRouge}: the middle of rouge_score's bootstrap, in the harness' document order).
 */
final class JpHarnessRouge2Metric implements Metric {
  @Override
  public String name() {
    return "rouge2_jp_harness";
  }

  @Override
  public List<ExampleScore> score(List<ChoiceResponse> responses, ScoringContext context) {
    ChoiceResponse r = ScoringContext.generation(responses);
    String prediction = context.prediction(r);
    double f = JpHarnessRouge.fmeasure(context.modelPieces(r.gold(), name()), context.modelPieces(prediction, name()));
    return List.of(new ExampleScore(name(), f, prediction, r.gold()));
  }

  @Override
  public AggregateState newState() {
    return new CorpusState(CorpusState.Kind.JP_HARNESS_ROUGE);
  }

  @Override
  public boolean corpus() {
    return true;
  }

  @Override
  public boolean needsModelTokens() {
    return true;
  }
}

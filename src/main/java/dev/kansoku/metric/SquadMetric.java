package dev.kansoku.metric;

import dev.kansoku.text.Golds;
import java.util.List;

/**
 * SQuAD 2.0's {@code exact} or {@code f1} ({@link SquadV2}): choice 0 is the generation, choice 1 the log-likelihood
 * of the no-answer continuation.
 */
final class SquadMetric implements Metric {
  private final boolean exact;

  SquadMetric(boolean exact) {
    this.exact = exact;
  }

  @Override
  public String name() {
    return exact ? "exact" : "f1";
  }

  @Override
  public List<ExampleScore> score(List<ChoiceResponse> responses, ScoringContext context) {
    ChoiceResponse gen = responses.stream().filter(x -> x.choiceIndex() == 0).findFirst().orElseThrow();
    double noAnswer = responses.stream().filter(x -> x.choiceIndex() == 1 && x.loglikelihood() != null)
        .mapToDouble(x -> Math.exp(x.loglikelihood())).findFirst().orElse(0.0);
    String prediction = context.prediction(gen);
    SquadV2.Score s = SquadV2.score(prediction, Golds.split(gen.gold()), noAnswer);
    return List.of(new ExampleScore(name(), -1, exact ? s.exact() : s.f1(), prediction, gen.gold(), "no-answer probability " + noAnswer));
  }

  @Override
  public AggregateState newState() {
    return new MeanState();
  }
}

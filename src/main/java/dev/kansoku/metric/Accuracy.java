package dev.kansoku.metric;

import java.util.List;

/**
 * {@code acc}: lm-evaluation-harness' multiple-choice accuracy, the argmax of the choices' log-likelihoods (first
 * index on ties, as numpy's argmax) equals the gold index.
 */
final class Accuracy implements Metric {
  @Override
  public String name() {
    return "acc";
  }

  @Override
  public List<ExampleScore> score(List<ChoiceResponse> responses, ScoringContext context) {
    List<ChoiceResponse> sorted = ChoiceResponse.inChoiceOrder(responses);
    int best = 0;
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).loglikelihood() > sorted.get(best).loglikelihood()) {
        best = i;
      }
    }
    String gold = sorted.get(0).gold();
    int predicted = sorted.get(best).choiceIndex();
    return List.of(new ExampleScore(name(), Integer.toString(predicted).equals(gold) ? 1.0 : 0.0, Integer.toString(predicted), gold));
  }

  @Override
  public AggregateState newState() {
    return new MeanState();
  }
}

package dev.kansoku.metric;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Per-example metrics, engine-neutral (no Spark). {@code acc}: lm-evaluation-harness' multiple-choice
 * accuracy, the argmax of the choices' log-likelihoods (first index on ties, as numpy's argmax) equals the
 * gold index. {@code exact_match}: the post-processed generation equals the post-processed gold.
 */
public final class ExampleScorer {
  public static final Set<String> KNOWN_METRICS = Set.of("acc", "exact_match");

  private final List<String> metrics;
  private final AnswerPostprocess postprocess;

  public ExampleScorer(List<String> metrics, AnswerPostprocess postprocess) {
    for (String m : metrics) {
      if (!KNOWN_METRICS.contains(m)) {
        throw new IllegalArgumentException("unknown metric '" + m + "' (known: " + String.join(", ", KNOWN_METRICS) + ")");
      }
    }
    this.metrics = List.copyOf(metrics);
    this.postprocess = postprocess;
  }

  /** Scores one example from all of its responses (one per choice, or one generation). */
  public List<ExampleScore> score(List<ChoiceResponse> responses) {
    List<ExampleScore> out = new ArrayList<>();
    for (String metric : metrics) {
      out.add(switch (metric) {
        case "acc" -> accuracy(responses);
        case "exact_match" -> exactMatch(responses);
        default -> throw new IllegalStateException(metric);
      });
    }
    return out;
  }

  private static ExampleScore accuracy(List<ChoiceResponse> responses) {
    List<ChoiceResponse> sorted = new ArrayList<>(responses);
    sorted.sort(Comparator.comparingInt(ChoiceResponse::choiceIndex));
    int best = 0;
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).loglikelihood() > sorted.get(best).loglikelihood()) {
        best = i;
      }
    }
    String gold = sorted.get(0).gold();
    int predicted = sorted.get(best).choiceIndex();
    return new ExampleScore("acc", Integer.toString(predicted).equals(gold) ? 1.0 : 0.0, Integer.toString(predicted), gold);
  }

  private ExampleScore exactMatch(List<ChoiceResponse> responses) {
    ChoiceResponse r = responses.get(0);
    String prediction = postprocess.prediction(r.generatedText() == null ? "" : r.generatedText());
    String gold = postprocess.gold(r.gold());
    return new ExampleScore("exact_match", prediction.equals(gold) ? 1.0 : 0.0, prediction, gold);
  }
}

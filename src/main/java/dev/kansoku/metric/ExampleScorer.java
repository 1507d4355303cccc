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
  public static final Set<String> KNOWN_METRICS = Set.of("acc", "exact_match", "char_f1", "pass@1");

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

  /** Whether scoring runs model-written code (and so needs a sandbox). */
  public static boolean executesCode(List<String> metrics) {
    return metrics.stream().anyMatch(m -> m.startsWith("pass@"));
  }

  /** Scores one example from all of its responses (one per choice, or one generation). */
  public List<ExampleScore> score(List<ChoiceResponse> responses) {
    List<ExampleScore> out = new ArrayList<>();
    for (String metric : metrics) {
      switch (metric) {
        case "acc" -> out.add(accuracy(responses));
        case "exact_match" -> out.add(exactMatch(responses));
        case "char_f1" -> out.add(charF1(responses));
        case "pass@1" -> out.addAll(passAtOne(responses));
        default -> throw new IllegalStateException(metric);
      }
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

  /**
   * pass@1 from executed samples (the pipeline runs them in the sandbox first): one "passed" row per
   * sample with the sandbox's account, and the example's unbiased pass@1 estimate.
   */
  private static List<ExampleScore> passAtOne(List<ChoiceResponse> responses) {
    List<ChoiceResponse> samples = new ArrayList<>(responses);
    samples.sort(Comparator.comparingInt(ChoiceResponse::choiceIndex));
    List<ExampleScore> out = new ArrayList<>();
    int passed = 0;
    for (ChoiceResponse r : samples) {
      if (r.executionPassed() == null) {
        throw new IllegalStateException("pass@1 needs the sample's execution outcome (sample " + r.choiceIndex() + ")");
      }
      passed += r.executionPassed() ? 1 : 0;
      String completion = dev.kansoku.sandbox.HumanEvalProblem.stopAtStopWord(r.generatedText() == null ? "" : r.generatedText());
      out.add(new ExampleScore("passed", r.choiceIndex(), r.executionPassed() ? 1.0 : 0.0, completion, null, r.executionDetail()));
    }
    out.add(new ExampleScore("pass@1", -1, dev.kansoku.sandbox.PassAtK.estimate(samples.size(), passed, 1),
        passed + "/" + samples.size() + " samples passed", null, null));
    return out;
  }

  /** llm-jp-eval's char_f1 (fuzzywuzzy token_sort_ratio / 100) of the post-processed prediction and gold. */
  private ExampleScore charF1(List<ChoiceResponse> responses) {
    ChoiceResponse r = responses.get(0);
    String prediction = postprocess.prediction(r.generatedText() == null ? "" : r.generatedText());
    String gold = postprocess.gold(r.gold());
    return new ExampleScore("char_f1", CharF1.score(prediction, gold), prediction, gold);
  }

  private ExampleScore exactMatch(List<ChoiceResponse> responses) {
    ChoiceResponse r = responses.get(0);
    String prediction = postprocess.prediction(r.generatedText() == null ? "" : r.generatedText());
    String gold = postprocess.gold(r.gold());
    return new ExampleScore("exact_match", prediction.equals(gold) ? 1.0 : 0.0, prediction, gold);
  }
}

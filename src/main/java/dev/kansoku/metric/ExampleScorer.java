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
  public static final Set<String> KNOWN_METRICS = Set.of("acc", "exact_match", "pass@1");

  /** Runs candidate programs (the code-execution sandbox); needed only by pass@k metrics. */
  @FunctionalInterface
  public interface ProgramRunner {
    List<dev.kansoku.sandbox.ExecutionResult> runAll(List<String> programs);
  }

  private final List<String> metrics;
  private final AnswerPostprocess postprocess;
  private final ProgramRunner runner;

  public ExampleScorer(List<String> metrics, AnswerPostprocess postprocess) {
    this(metrics, postprocess, null);
  }

  public ExampleScorer(List<String> metrics, AnswerPostprocess postprocess, ProgramRunner runner) {
    for (String m : metrics) {
      if (!KNOWN_METRICS.contains(m)) {
        throw new IllegalArgumentException("unknown metric '" + m + "' (known: " + String.join(", ", KNOWN_METRICS) + ")");
      }
    }
    this.metrics = List.copyOf(metrics);
    this.postprocess = postprocess;
    this.runner = runner;
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
   * bigcode-evaluation-harness: each sample's program is prompt + completion cut at the stop words, then the
   * reference (test + check(entry_point)); one "passed" row per sample and the unbiased pass@1 of the example.
   */
  private List<ExampleScore> passAtOne(List<ChoiceResponse> responses) {
    if (runner == null) {
      throw new IllegalStateException("pass@1 needs a code-execution sandbox");
    }
    List<ChoiceResponse> samples = new ArrayList<>(responses);
    samples.sort(Comparator.comparingInt(ChoiceResponse::choiceIndex));
    List<String> programs = new ArrayList<>();
    for (ChoiceResponse r : samples) {
      String completion = dev.kansoku.sandbox.HumanEvalProblem.stopAtStopWord(r.generatedText() == null ? "" : r.generatedText());
      programs.add(r.context() + completion + "\n" + r.gold());
    }
    List<dev.kansoku.sandbox.ExecutionResult> results = runner.runAll(programs);
    List<ExampleScore> out = new ArrayList<>();
    int passed = 0;
    for (int i = 0; i < samples.size(); i++) {
      dev.kansoku.sandbox.ExecutionResult r = results.get(i);
      passed += r.passed() ? 1 : 0;
      String completion = dev.kansoku.sandbox.HumanEvalProblem.stopAtStopWord(
          samples.get(i).generatedText() == null ? "" : samples.get(i).generatedText());
      out.add(new ExampleScore("passed", samples.get(i).choiceIndex(), r.passed() ? 1.0 : 0.0, completion, null,
          r.outcome().label() + (r.detail().isEmpty() ? "" : ": " + r.detail())));
    }
    out.add(new ExampleScore("pass@1", -1, dev.kansoku.sandbox.PassAtK.estimate(samples.size(), passed, 1),
        passed + "/" + samples.size() + " samples passed", null, null));
    return out;
  }

  private ExampleScore exactMatch(List<ChoiceResponse> responses) {
    ChoiceResponse r = responses.get(0);
    String prediction = postprocess.prediction(r.generatedText() == null ? "" : r.generatedText());
    String gold = postprocess.gold(r.gold());
    return new ExampleScore("exact_match", prediction.equals(gold) ? 1.0 : 0.0, prediction, gold);
  }
}

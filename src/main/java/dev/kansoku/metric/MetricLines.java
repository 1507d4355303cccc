package dev.kansoku.metric;

import dev.kansoku.sandbox.PassAtK;
import dev.kansoku.text.Golds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A registered metric over aligned text lines ({@code kansoku metric}): each (prediction, reference) pair becomes
 * the responses of one example, as the score stage would hand them to the metric, and the examples' scores merge in
 * the metric's own {@link AggregateState}. So a number checked on the command line is computed by the code that
 * scores a run.
 *
 * <p>Line formats: a generation metric takes the generated text and its reference (several golds separated by TABs);
 * {@code acc} takes the predicted and the gold choice index; {@code pass@1} takes {@code "<passed> <samples>"} per
 * problem and no references. Two names of earlier versions of the command stay: {@code squad_exact} and {@code
 * squad_f1} (the registry's {@code exact} and {@code f1}), and {@code pass@k}, whose k above 1 is the unbiased
 * estimator over the same counts (no task scores pass@k above 1, so the registry has no such metric).
 */
public final class MetricLines {
  /** Command names of earlier versions → registry names. */
  private static final Map<String, String> ALIASES = Map.of("squad_exact", "exact", "squad_f1", "f1", "pass@k", "pass@1");
  /** BLEU is stored on a 0-1 scale; sacrebleu (and this command) print it on 0-100. */
  private static final double BLEU_PRINT_SCALE = 100.0;

  private final String label;
  private final Metric metric;
  private final int k;

  private MetricLines(String label, Metric metric, int k) {
    this.label = label;
    this.metric = metric;
    this.k = k;
  }

  /** Lines of a file: {@code source} names it in errors ("file:line: problem"). */
  public record Lines(String source, List<String> lines) {
    String at(int i) {
      return lines.get(i);
    }

    IllegalArgumentException bad(int i, String expected) {
      return new IllegalArgumentException(source + ":" + (i + 1) + ": expected " + expected + ", got '" + lines.get(i) + "'");
    }
  }

  /**
   * The metric {@code name} (a registry name or an alias); {@code k} is pass@k's. Fails naming the known metrics
   * for an unknown name, and for a metric that needs a model's tokens (no model on the command line).
   */
  public static MetricLines of(String name, int k) {
    Metric metric = Metrics.named(ALIASES.getOrDefault(name, name));
    if (metric.needsModelTokens()) {
      throw new IllegalArgumentException("metric " + name + " is scored on a model's own tokens; it runs in an evaluation only");
    }
    if (k < 1) {
      throw new IllegalArgumentException("--k must be at least 1, not " + k);
    }
    String label = metric.executesCode() ? "pass@" + k : name;
    return new MetricLines(label, metric, metric.executesCode() ? k : 1);
  }

  /** What the score is printed as: the name given, or pass@k. */
  public String label() {
    return label;
  }

  /** Whether the metric compares with reference lines (pass@k counts executions only). */
  public boolean needsReferences() {
    return !metric.executesCode();
  }

  /**
   * The corpus score of the lines ({@code references} null for pass@k); NaN for no lines. A line that does not have
   * the metric's format is an error naming its file and line.
   */
  public double score(Lines predictions, Lines references, ScoringContext context) {
    if (predictions.lines().isEmpty()) {
      return Double.NaN;
    }
    if (k > 1) {
      return passAtK(predictions);
    }
    AggregateState state = metric.newState();
    for (int i = 0; i < predictions.lines().size(); i++) {
      List<ChoiceResponse> responses = responses(i, predictions, references);
      for (ExampleScore s : metric.score(responses, context)) {
        // pass@1 also writes a row per sample: the example's estimate is the one of the metric's name
        if (s.metric().equals(metric.name())) {
          state.add(Integer.toString(i), s.value(), s.detail());
        }
      }
    }
    double value = state.result(predictions.lines().size()).value();
    return metric.name().equals("bleu") ? value * BLEU_PRINT_SCALE : value;
  }

  /** The responses the score stage would give the metric for line {@code i}. */
  private List<ChoiceResponse> responses(int i, Lines predictions, Lines references) {
    String prediction = predictions.at(i);
    if (metric.executesCode()) {
      int[] counts = counts(i, predictions);
      List<ChoiceResponse> samples = new ArrayList<>();
      for (int s = 0; s < counts[1]; s++) {
        samples.add(new ChoiceResponse(s, null, null, "", null, s < counts[0], null));
      }
      return samples;
    }
    if (metric.name().equals("acc")) {
      // the predicted choice is the one with the highest log-likelihood
      int predicted = index(i, predictions);
      int gold = index(i, references);
      List<ChoiceResponse> choices = new ArrayList<>();
      for (int c = 0; c <= Math.max(predicted, gold); c++) {
        choices.add(new ChoiceResponse(c, c == predicted ? 0.0 : -1.0, null, null, Integer.toString(gold)));
      }
      return choices;
    }
    String reference = references.at(i);
    // a generation (choice 0: SQuAD 2.0's generation; no no-answer log-likelihood, so its probability is 0)
    return List.of(new ChoiceResponse(0, null, null, prediction, Golds.join(List.of(reference.split("\t", -1)))));
  }

  private double passAtK(Lines lines) {
    double sum = 0;
    for (int i = 0; i < lines.lines().size(); i++) {
      int[] counts = counts(i, lines);
      sum += PassAtK.estimate(counts[1], counts[0], k);
    }
    return sum / lines.lines().size();
  }

  /** (passed, samples) of a pass@k line. */
  private static int[] counts(int i, Lines lines) {
    String[] f = lines.at(i).trim().split("\\s+");
    try {
      if (f.length == 2) {
        int passed = Integer.parseInt(f[0]);
        int samples = Integer.parseInt(f[1]);
        if (passed >= 0 && samples >= passed) {
          return new int[] {passed, samples};
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw lines.bad(i, "'<passed> <samples>' with 0 <= passed <= samples");
  }

  /** The choice index on line {@code i}. */
  private static int index(int i, Lines lines) {
    try {
      int index = Integer.parseInt(lines.at(i).strip());
      if (index >= 0) {
        return index;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw lines.bad(i, "a choice index (0, 1, ...)");
  }
}

package dev.kansoku.metric;

/**
 * One metric value for one example (sampleIndex -1) or one sample of it, with the prediction and gold
 * answer it compared and, where there is one, the reason (e.g. the sandbox outcome).
 */
public record ExampleScore(String metric, int sampleIndex, double value, String prediction, String gold, String detail) {
  public ExampleScore(String metric, double value, String prediction, String gold) {
    this(metric, -1, value, prediction, gold, null);
  }
}

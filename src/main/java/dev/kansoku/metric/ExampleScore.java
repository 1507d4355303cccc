package dev.kansoku.metric;

/** One metric value for one example, with the prediction and gold answer it compared. */
public record ExampleScore(String metric, double value, String prediction, String gold) {}

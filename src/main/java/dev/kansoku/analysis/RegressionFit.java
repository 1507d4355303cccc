package dev.kansoku.analysis;

import java.util.List;

/** One least-squares fit of a factor score on a log10 compute predictor, for a group of models. */
public record RegressionFit(
    String component,
    String predictor,
    String group,
    int n,
    double slope,
    double intercept,
    double r2,
    double pearsonR,
    double spearmanRho,
    double slopeStderr,
    double slopeCiLow,
    double slopeCiHigh,
    double interceptStderr,
    double residualStd,
    double meanX,
    double sxx,
    List<String> models,
    List<String> excluded) {}

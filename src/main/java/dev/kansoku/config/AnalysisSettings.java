package dev.kansoku.config;

import java.io.Serializable;
import java.util.Map;

/** The validated {@code kansoku.analysis} section. */
public record AnalysisSettings(
    String outputDir,
    String publishedScores,
    boolean includePublished,
    boolean includeEvaluated,
    String prefer,
    Map<String, String> preferByModel,
    double minCoverage,
    String missing,
    int imputationComponents,
    boolean standardize,
    int components,
    int regressionComponents,
    int bootstrap,
    long seed,
    boolean report) implements Serializable {}

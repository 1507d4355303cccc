package dev.kansoku.config;

import java.io.Serializable;
import java.util.Map;

/**
 * The validated {@code kansoku.analysis} section. {@code excludeOrigins}: evaluated models whose registry
 * origin is listed (by default "synthetic": the embedded random-weight model) stay out of the score matrix.
 */
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
    boolean report,
    java.util.List<String> excludeOrigins) implements Serializable {}

package dev.kansoku.analysis;

import java.util.List;

/** What an analysis run produced, for the console, the report and tests. */
public record AnalysisOutcome(
    String outputDir,
    ScoreMatrix matrix,
    PcaResult primary,
    PcaResult secondary,
    List<RegressionFit> regressions,
    TaskCorrelations.Result correlations,
    List<String> notes,
    String reportPath) {}

package dev.kansoku.cli;

import dev.kansoku.analysis.AnalysisOutcome;
import dev.kansoku.analysis.ComputeScalingRegressions;
import dev.kansoku.analysis.PcaResult;
import dev.kansoku.analysis.RegressionFit;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.stream.IntStream;

/** The console report of an analysis run. */
final class AnalysisConsole {
  private AnalysisConsole() {}

  static void print(AnalysisOutcome a, PrintWriter out) {
    PcaResult p = a.primary();
    out.printf("score matrix: %d models × %d tasks, %d imputed cell(s)%n", a.matrix().models().size(),
        a.matrix().tasks().size(), a.matrix().imputed().size());
    out.printf("explained variance ratio (%s):%n", p.variant());
    for (int c = 0; c < Math.min(5, p.explainedVarianceRatio().length); c++) {
      out.printf("  %-4s %.3f%s%n", PcaResult.name(c), p.explainedVarianceRatio()[c],
          p.evrInterval() == null ? "" : String.format("  [95%% %.3f – %.3f]", p.evrInterval()[c][0], p.evrInterval()[c][1]));
    }
    for (int c = 0; c < Math.min(3, p.explainedVarianceRatio().length); c++) {
      final int cc = c;
      String top = IntStream.range(0, p.tasks().size()).boxed()
          .sorted(Comparator.comparingDouble(t -> -p.loadings()[t][cc])).limit(4)
          .map(t -> String.format("%s %.3f", p.tasks().get(t), p.loadings()[t][cc]))
          .reduce((x, y) -> x + ", " + y).orElse("");
      out.printf("%s largest loadings: %s%n", PcaResult.name(c), top);
    }
    out.println("factor scores vs log10 training compute (all models with disclosed tokens):");
    for (RegressionFit f : a.regressions()) {
      if (f.group().equals(ComputeScalingRegressions.ALL)) {
        out.printf("  %s ~ %-20s n=%-3d slope %+.3f [95%% %+.3f, %+.3f]  R² %.3f  r %+.3f  ρ %+.3f  (excluded %d)%n",
            f.component(), f.predictor(), f.n(), f.slope(), f.slopeCiLow(), f.slopeCiHigh(), f.r2(), f.pearsonR(),
            f.spearmanRho(), f.excluded().size());
      }
    }
    if (!a.notes().isEmpty()) {
      out.printf("notes (%d):%n", a.notes().size());
      a.notes().stream().limit(8).forEach(n -> out.println("  - " + n));
      if (a.notes().size() > 8) {
        out.println("  ... all in summary.json");
      }
    }
    out.println("analysis tables (Parquet): " + a.outputDir());
    out.println("summary: " + dev.kansoku.results.StoredFiles.child(a.outputDir(), "summary.json"));
    if (a.reportPath() != null) {
      out.println("report:  " + a.reportPath());
    }
    out.flush();
  }
}

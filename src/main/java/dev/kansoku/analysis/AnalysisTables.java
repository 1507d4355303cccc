package dev.kansoku.analysis;

import dev.kansoku.config.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/** Rows of the analysis tables, through each table's codec record. */
final class AnalysisTables {
  private final Map<String, ModelSpec> registry;
  private final int components;

  AnalysisTables(Map<String, ModelSpec> registry, int components) {
    this.registry = registry;
    this.components = components;
  }

  List<Row> explainedVariance(PcaResult... variants) {
    List<Row> rows = new ArrayList<>();
    for (PcaResult p : variants) {
      double cumulative = 0;
      for (int c = 0; c < p.explainedVarianceRatio().length; c++) {
        cumulative += p.explainedVarianceRatio()[c];
        boolean ci = p.evrInterval() != null && c < p.evrInterval().length;
        rows.add(new ExplainedVarianceRow(p.variant(), c + 1, PcaResult.name(c), p.explainedVarianceRatio()[c], cumulative,
            ci ? p.evrInterval()[c][0] : null, ci ? p.evrInterval()[c][1] : null).toRow());
      }
    }
    return rows;
  }

  List<Row> loadings(PcaResult... variants) {
    List<Row> rows = new ArrayList<>();
    for (PcaResult p : variants) {
      for (int c = 0; c < reported(p); c++) {
        for (int t = 0; t < p.tasks().size(); t++) {
          boolean ci = p.loadingInterval() != null;
          rows.add(new LoadingRow(p.variant(), c + 1, PcaResult.name(c), p.tasks().get(t), p.loadings()[t][c],
              ci ? p.loadingInterval()[t][c][0] : null, ci ? p.loadingInterval()[t][c][1] : null).toRow());
        }
      }
    }
    return rows;
  }

  List<Row> scores(PcaResult... variants) {
    List<Row> rows = new ArrayList<>();
    for (PcaResult p : variants) {
      for (int c = 0; c < reported(p); c++) {
        for (int i = 0; i < p.models().size(); i++) {
          ModelSpec m = registry.get(p.models().get(i));
          rows.add(new PcaScoreRow(p.variant(), c + 1, PcaResult.name(c), p.models().get(i), p.scores()[i][c],
              m == null ? null : m.origin()).toRow());
        }
      }
    }
    return rows;
  }

  List<Row> regressions(List<RegressionFit> fits) {
    List<Row> rows = new ArrayList<>();
    for (RegressionFit f : fits) {
      rows.add(RegressionRow.of(f).toRow());
    }
    return rows;
  }

  List<Row> correlations(TaskCorrelations.Result r) {
    List<Row> rows = new ArrayList<>();
    for (int a = 0; a < r.tasks().size(); a++) {
      for (int b = 0; b < r.tasks().size(); b++) {
        rows.add(new TaskCorrelationRow(r.tasks().get(a), r.tasks().get(b), r.pearson()[a][b], r.spearman()[a][b], r.n()).toRow());
      }
    }
    return rows;
  }

  private int reported(PcaResult p) {
    return Math.min(components, p.explainedVarianceRatio().length);
  }
}

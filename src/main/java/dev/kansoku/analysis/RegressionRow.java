package dev.kansoku.analysis;

import dev.kansoku.results.TableRow;
import java.util.List;

/** A row of {@code regressions}: one fit of a factor score on a log compute predictor ({@link RegressionFit}). */
public record RegressionRow(String component, String predictor, String group, int n, double slope, double intercept, double r2,
                            double pearsonR, double spearmanRho, double slopeStderr, double slopeCiLow, double slopeCiHigh,
                            List<String> models, List<String> excludedModels) implements TableRow {
  public static final String TABLE = "regressions";

  public static RegressionRow of(RegressionFit f) {
    return new RegressionRow(f.component(), f.predictor(), f.group(), f.n(), f.slope(), f.intercept(), f.r2(), f.pearsonR(),
        f.spearmanRho(), f.slopeStderr(), f.slopeCiLow(), f.slopeCiHigh(), f.models(), f.excluded());
  }

  @Override
  public String table() {
    return TABLE;
  }
}

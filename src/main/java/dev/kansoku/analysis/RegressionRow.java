package dev.kansoku.analysis;

import dev.kansoku.results.TableRow;
import java.util.List;
import org.apache.spark.sql.Row;
import scala.jdk.javaapi.CollectionConverters;

/** A row of {@code regressions}: one fit of a factor score on a log compute predictor ({@link RegressionFit}). */
public record RegressionRow(String component, String predictor, String group, int n, double slope, double intercept, double r2,
                            double pearsonR, double spearmanRho, double slopeStderr, double slopeCiLow, double slopeCiHigh,
                            List<String> models, List<String> excludedModels) implements TableRow {
  public static final String TABLE = "regressions";
  public static final String COMPONENT = "component";
  public static final String PREDICTOR = "predictor";
  public static final String GROUP = "group";
  public static final String SLOPE = "slope";
  public static final String INTERCEPT = "intercept";
  public static final String R2 = "r2";
  public static final String PEARSON_R = "pearson_r";
  public static final String SPEARMAN_RHO = "spearman_rho";
  public static final String SLOPE_STDERR = "slope_stderr";
  public static final String SLOPE_CI_LOW = "slope_ci_low";
  public static final String SLOPE_CI_HIGH = "slope_ci_high";
  public static final String MODELS = "models";
  public static final String EXCLUDED_MODELS = "excluded_models";

  public static RegressionRow of(RegressionFit f) {
    return new RegressionRow(f.component(), f.predictor(), f.group(), f.n(), f.slope(), f.intercept(), f.r2(), f.pearsonR(),
        f.spearmanRho(), f.slopeStderr(), f.slopeCiLow(), f.slopeCiHigh(), f.models(), f.excluded());
  }

  public static RegressionRow from(Row r) {
    return new RegressionRow(r.getAs(COMPONENT), r.getAs(PREDICTOR), r.getAs(GROUP), r.<Integer>getAs(N), r.<Double>getAs(SLOPE),
        r.<Double>getAs(INTERCEPT), r.<Double>getAs(R2), r.<Double>getAs(PEARSON_R), r.<Double>getAs(SPEARMAN_RHO),
        r.<Double>getAs(SLOPE_STDERR), r.<Double>getAs(SLOPE_CI_LOW), r.<Double>getAs(SLOPE_CI_HIGH),
        List.copyOf(r.getList(r.fieldIndex(MODELS))), List.copyOf(r.getList(r.fieldIndex(EXCLUDED_MODELS))));
  }

  @Override
  public String table() {
    return TABLE;
  }

  @Override
  public Object value(String column) {
    return switch (column) {
      case COMPONENT -> component;
      case PREDICTOR -> predictor;
      case GROUP -> group;
      case N -> n;
      case SLOPE -> slope;
      case INTERCEPT -> intercept;
      case R2 -> r2;
      case PEARSON_R -> pearsonR;
      case SPEARMAN_RHO -> spearmanRho;
      case SLOPE_STDERR -> slopeStderr;
      case SLOPE_CI_LOW -> slopeCiLow;
      case SLOPE_CI_HIGH -> slopeCiHigh;
      // Spark's row encoder takes arrays as Scala sequences only
      case MODELS -> CollectionConverters.asScala(models).toSeq();
      case EXCLUDED_MODELS -> CollectionConverters.asScala(excludedModels).toSeq();
      default -> throw TableRow.unknown(TABLE, column);
    };
  }
}

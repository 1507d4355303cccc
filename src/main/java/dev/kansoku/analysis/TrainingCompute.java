package dev.kansoku.analysis;

import dev.kansoku.config.ModelSpec;
import java.util.OptionalDouble;

/**
 * Training compute C = 6·N·D of a model, by language: N is the parameters used per token (active
 * experts for mixtures of experts) and D the cumulative pre-training tokens in that language (base plus
 * continual pre-training), from the model registry. Empty when either is undisclosed or zero.
 */
public final class TrainingCompute {
  /** The three predictors of the regression job. */
  public enum Predictor {
    JA("log10_compute_ja"), EN("log10_compute_en"), TOTAL("log10_compute_total");

    private final String column;

    Predictor(String column) {
      this.column = column;
    }

    public String column() {
      return column;
    }
  }

  private TrainingCompute() {}

  public static OptionalDouble log10(ModelSpec m, Predictor p) {
    Double n = m.computeParameters();
    Double d = switch (p) {
      case JA -> m.trainingTokensJa();
      case EN -> m.trainingTokensEn();
      case TOTAL -> m.trainingTokensTotal();
    };
    if (n == null || d == null || n <= 0 || d <= 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(Math.log10(6.0 * n * d));
  }
}

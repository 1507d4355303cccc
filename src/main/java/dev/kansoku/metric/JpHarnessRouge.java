package dev.kansoku.metric;

import java.util.Arrays;
import java.util.List;

/**
 * XL-Sum's ROUGE-2 as the JP LM Evaluation Harness computes it (swallow-evaluation v202407,
 * {@code lm_eval/utils.py rouge2_mecab} behind {@code tasks/ja/xlsum_ja.py}): its evaluator replaces the task's
 * MeCab tokenizer with the model's tokenizer ({@code LOAD_TOKENIZER} → {@code set_tokenizer}), so rouge_score
 * scores bigrams of the model's token pieces; the task score is the middle of rouge_score's
 * {@code BootstrapAggregator}: 1,000 resamples drawn with numpy's global generator (seeded 1234 by
 * {@code simple_evaluate}) over the examples in the harness' document order, then the 50th percentile of their
 * means (numpy's linear interpolation).
 */
public final class JpHarnessRouge {
  static final int SAMPLES = 1000;
  static final long NUMPY_SEED = 1234;

  private JpHarnessRouge() {}

  /** ROUGE-2 F on token pieces (no normalisation: the harness' tokenizer is the model's). */
  public static double fmeasure(List<String> referencePieces, List<String> predictionPieces) {
    return Rouge2.fmeasureOfTokens(referencePieces, predictionPieces);
  }

  /** The bootstrap's middle value of per-example F values given in the harness' evaluation order. */
  public static double bootstrapMid(double[] fInOrder) {
    int n = fInOrder.length;
    if (n == 0) {
      return Double.NaN;
    }
    NumpyLegacyRandom rnd = new NumpyLegacyRandom(NUMPY_SEED);
    double[] means = new double[SAMPLES];
    for (int s = 0; s < SAMPLES; s++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += fInOrder[rnd.randint(n)];
      }
      means[s] = sum / n;
    }
    Arrays.sort(means);
    // numpy.percentile's linear interpolation (numpy's _lerp: from the upper neighbour when t >= 0.5)
    double rank = 0.5 * (SAMPLES - 1);
    int lo = (int) Math.floor(rank);
    double t = rank - lo;
    double a = means[lo];
    double b = means[Math.min(lo + 1, SAMPLES - 1)];
    double diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
  }
}

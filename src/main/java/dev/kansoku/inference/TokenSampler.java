package dev.kansoku.inference;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits: argmax for greedy decoding (first index on ties), otherwise
 * transformers' order of warpers — temperature, then top-k, then top-p (the smallest set of most likely
 * tokens whose probability reaches top-p, at least one) — and one draw from the row's own random stream.
 */
final class TokenSampler {
  private TokenSampler() {}

  static long next(float[] logits, int offset, int vocab, GenerationRequest r, SplittableRandom rnd) {
    if (!r.sampled()) {
      int best = 0;
      for (int i = 1; i < vocab; i++) {
        if (logits[offset + i] > logits[offset + best]) {
          best = i;
        }
      }
      return best;
    }
    double[] scaled = new double[vocab];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      scaled[i] = logits[offset + i] / r.temperature();
      max = Math.max(max, scaled[i]);
    }
    Integer[] order = new Integer[vocab];
    for (int i = 0; i < vocab; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scaled[b], scaled[a]));
    int keep = r.topK() > 0 ? Math.min(r.topK(), vocab) : vocab;
    double[] probs = new double[keep];
    double sum = 0;
    for (int i = 0; i < keep; i++) {
      probs[i] = Math.exp(scaled[order[i]] - max);
      sum += probs[i];
    }
    if (r.topP() < 1.0) {
      double cumulative = 0;
      int cut = keep;
      for (int i = 0; i < keep; i++) {
        cumulative += probs[i] / sum;
        if (cumulative >= r.topP()) {
          cut = i + 1;
          break;
        }
      }
      keep = Math.max(1, cut);
      sum = 0;
      for (int i = 0; i < keep; i++) {
        sum += probs[i];
      }
    }
    double u = rnd.nextDouble() * sum;
    double acc = 0;
    for (int i = 0; i < keep; i++) {
      acc += probs[i];
      if (u < acc) {
        return order[i];
      }
    }
    return order[keep - 1];
  }
}

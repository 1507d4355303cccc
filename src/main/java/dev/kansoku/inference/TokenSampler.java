package dev.kansoku.inference;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits: argmax for greedy decoding (first index on ties), otherwise
 * transformers' order of warpers — temperature, then top-k, then top-p (the smallest set of most likely
 * tokens whose probability reaches top-p, at least one) — and one draw from the row's own random stream.
 *
 * <p>Only set membership matters for the draw, so each filter becomes a probability threshold, found with a
 * histogram of the probabilities (linear passes; only the tokens of the bucket where the cut falls are
 * sorted). The draw then walks the vocabulary in index order.
 */
final class TokenSampler {
  private static final int BUCKETS = 4096;

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
    float maxLogit = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      maxLogit = Math.max(maxLogit, logits[offset + i]);
    }
    float[] probs = new float[vocab];
    for (int i = 0; i < vocab; i++) {
      probs[i] = (float) Math.exp((logits[offset + i] - maxLogit) / r.temperature());
    }
    float threshold = 0f;
    if (r.topK() > 0 && r.topK() < vocab) {
      threshold = cut(probs, 0f, r.topK(), Double.NaN);
    }
    if (r.topP() < 1.0) {
      threshold = cut(probs, threshold, Integer.MAX_VALUE, r.topP());
    }
    double total = 0;
    for (float p : probs) {
      if (p >= threshold) {
        total += p;
      }
    }
    double u = rnd.nextDouble() * total;
    double acc = 0;
    int last = 0;
    for (int i = 0; i < vocab; i++) {
      if (probs[i] >= threshold) {
        acc += probs[i];
        last = i;
        if (u < acc) {
          return i;
        }
      }
    }
    return last;
  }

  /**
   * The probability of the last token kept when tokens at or above {@code floor} are taken from the most
   * likely down until {@code maxCount} are taken or their mass reaches {@code share} of the mass above floor.
   */
  private static float cut(float[] probs, float floor, int maxCount, double share) {
    float max = 0f;
    double kept = 0;
    for (float p : probs) {
      if (p >= floor) {
        max = Math.max(max, p);
        kept += p;
      }
    }
    double target = Double.isNaN(share) ? Double.POSITIVE_INFINITY : share * kept;
    double[] mass = new double[BUCKETS];
    int[] count = new int[BUCKETS];
    for (float p : probs) {
      if (p >= floor) {
        int b = Math.min(BUCKETS - 1, (int) (p / max * BUCKETS));
        mass[b] += p;
        count[b]++;
      }
    }
    double massAbove = 0;
    int countAbove = 0;
    for (int b = BUCKETS - 1; b >= 0; b--) {
      if (count[b] == 0) {
        continue;
      }
      if (massAbove + mass[b] >= target || countAbove + count[b] >= maxCount) {
        // the cut falls in this bucket: order its tokens only
        float[] inBucket = new float[count[b]];
        int n = 0;
        for (float p : probs) {
          if (p >= floor && Math.min(BUCKETS - 1, (int) (p / max * BUCKETS)) == b) {
            inBucket[n++] = p;
          }
        }
        Arrays.sort(inBucket);
        for (int i = n - 1; i >= 0; i--) {
          massAbove += inBucket[i];
          countAbove++;
          if (massAbove >= target || countAbove >= maxCount) {
            return inBucket[i];
          }
        }
      }
      massAbove += mass[b];
      countAbove += count[b];
    }
    return floor;
  }
}

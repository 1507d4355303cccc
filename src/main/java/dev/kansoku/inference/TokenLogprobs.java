package dev.kansoku.inference;

/**
 * A generated token's log-probability and the most likely alternatives, from one row of logits: log-softmax in double
 * precision over the raw logits (the model's own distribution, before temperature or filtering, as vLLM reports
 * generated tokens' logprobs by default). Ties among the top keep the lower id first.
 */
final class TokenLogprobs {
  private TokenLogprobs() {}

  record Entry(float chosen, long[] topIds, float[] topLogprobs) {}

  static Entry of(float[] logits, int offset, int vocab, long token, int top) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      sum += Math.exp(logits[offset + i] - max);
    }
    double logZ = max + Math.log(sum);
    int n = Math.min(top, vocab);
    long[] ids = new long[n];
    float[] values = new float[n];
    // the n largest, kept sorted (n is small: OpenAI allows up to 20); an equal logit goes after the ones it ties
    int filled = 0;
    for (int i = 0; i < vocab && n > 0; i++) {
      float v = logits[offset + i];
      if (filled == n && !(v > logits[offset + (int) ids[n - 1]])) {
        continue;
      }
      int at = filled < n ? filled : n - 1;
      while (at > 0 && logits[offset + (int) ids[at - 1]] < v) {
        ids[at] = ids[at - 1];
        at--;
      }
      ids[at] = i;
      filled = Math.min(n, filled + 1);
    }
    for (int k = 0; k < n; k++) {
      values[k] = (float) (logits[offset + (int) ids[k]] - logZ);
    }
    return new Entry((float) (logits[offset + (int) token] - logZ), ids, values);
  }
}

package dev.kansoku.inference;

/**
 * Scores of a token sequence's positions 1..n-1 (position 0 has none): the log-probability of the token there given
 * those before, the argmax of that distribution and the argmax's log-probability. An OpenAI-style completion with
 * {@code echo} and {@code logprobs} reports these as {@code token_logprobs} and {@code top_logprobs}.
 */
public record PromptScores(float[] logProbs, long[] argmax, float[] maxLogProbs) {
  /** Tokens scored (n - 1). */
  public int length() {
    return logProbs.length;
  }
}

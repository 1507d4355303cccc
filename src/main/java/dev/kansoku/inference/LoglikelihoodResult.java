package dev.kansoku.inference;

/**
 * Sum of the log-probabilities of the continuation tokens, whether every continuation token is the argmax
 * (lm-evaluation-harness' {@code is_greedy}), and the token counts that were scored.
 */
public record LoglikelihoodResult(double logLikelihood, boolean greedy, long[] contextIds, long[] continuationIds) {}

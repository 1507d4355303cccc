package dev.kansoku.inference;

/**
 * Sum of the log-probabilities of the continuation tokens, whether every continuation token is the argmax
 * (lm-evaluation-harness' {@code is_greedy}), the token counts that were scored, and whether the context was cut
 * from the left to fit the maximum length (the harness' {@code (context + continuation)[-(max_length + 1):]}).
 */
public record LoglikelihoodResult(double logLikelihood, boolean greedy, long[] contextIds, long[] continuationIds, boolean truncated) {}

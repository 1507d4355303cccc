package dev.kansoku.inference;

/** Score {@code continuation} given {@code context} (lm-evaluation-harness request kind "loglikelihood"). */
public record LoglikelihoodRequest(String context, String continuation, boolean addSpecialTokens) {}

package dev.kansoku.inference;

import java.util.List;

/** Greedy generation from {@code prompt} until a stop sequence, an end-of-sequence token or {@code maxNewTokens}. */
public record GenerationRequest(String prompt, List<String> stopSequences, int maxNewTokens, boolean addSpecialTokens) {}

package dev.kansoku.inference;

/**
 * Generated text (cut before the first stop sequence), the prompt and generated token ids, and why decoding
 * ended: {@code stop} (stop sequence), {@code eos} (end-of-sequence token) or {@code length} (max tokens).
 */
public record GenerationResult(String text, long[] promptIds, long[] generatedIds, String finishReason) {}

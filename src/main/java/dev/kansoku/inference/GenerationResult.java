package dev.kansoku.inference;

/**
 * Generated text (cut before the first stop sequence), the prompt and generated token ids, and why decoding
 * ended: {@code stop} (stop sequence), {@code eos} (end-of-sequence token) or {@code length} (max tokens), and
 * whether the prompt was cut from the left to leave room for the new tokens ({@code promptIds} are those kept).
 */
public record GenerationResult(String text, long[] promptIds, long[] generatedIds, String finishReason, boolean truncated) {}

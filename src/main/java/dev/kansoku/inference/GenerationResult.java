package dev.kansoku.inference;

/**
 * Generated text (cut before the first stop sequence), the prompt and generated token ids, and why decoding
 * ended: {@code stop} (stop sequence), {@code eos} (end-of-sequence token) or {@code length} (max tokens), and
 * whether the prompt was cut from the left to leave room for the new tokens ({@code promptIds} are those kept).
 * {@code logprobs}: per generated token, when the request asked for them (null otherwise).
 */
public record GenerationResult(String text, long[] promptIds, long[] generatedIds, String finishReason, boolean truncated,
                               TokenLogprobs logprobs) {
  public GenerationResult(String text, long[] promptIds, long[] generatedIds, String finishReason, boolean truncated) {
    this(text, promptIds, generatedIds, finishReason, truncated, null);
  }

  /**
   * Each generated token's log-probability ({@code chosen[i]}, of {@code generatedIds[i]}) and the {@code top[i]}
   * most likely tokens with theirs ({@code topLogprobs[i]}), most likely first.
   */
  public record TokenLogprobs(float[] chosen, long[][] top, float[][] topLogprobs) {}
}

package dev.kansoku.inference;

import java.util.List;

/**
 * Generation from {@code prompt} until a stop sequence, an end-of-sequence token or {@code maxNewTokens}.
 * {@code temperature} 0 is greedy decoding; otherwise tokens are sampled after temperature, top-k (0 = off)
 * and top-p (1 = off) filtering, as transformers applies them, from a random stream seeded by {@code seed}
 * alone, so a sampled result does not depend on the batch it runs in. {@code promptIds}, when not null, are the
 * prompt's token ids as given (a served completion's token prompt), used instead of encoding {@code prompt}.
 * {@code topLogprobs}: -1 = no log-probabilities; 0 or more = each generated token's log-probability under the
 * model's distribution (raw logits, before temperature and filtering, as vLLM reports them) and that many top
 * alternatives. Asking for them changes no token.
 */
public record GenerationRequest(String prompt, List<String> stopSequences, int maxNewTokens, boolean addSpecialTokens,
                                double temperature, double topP, int topK, long seed, long[] promptIds, int topLogprobs) {
  public GenerationRequest(String prompt, List<String> stopSequences, int maxNewTokens, boolean addSpecialTokens,
                           double temperature, double topP, int topK, long seed, long[] promptIds) {
    this(prompt, stopSequences, maxNewTokens, addSpecialTokens, temperature, topP, topK, seed, promptIds, -1);
  }

  public GenerationRequest(String prompt, List<String> stopSequences, int maxNewTokens, boolean addSpecialTokens,
                           double temperature, double topP, int topK, long seed) {
    this(prompt, stopSequences, maxNewTokens, addSpecialTokens, temperature, topP, topK, seed, null);
  }

  /** Greedy decoding. */
  public GenerationRequest(String prompt, List<String> stopSequences, int maxNewTokens, boolean addSpecialTokens) {
    this(prompt, stopSequences, maxNewTokens, addSpecialTokens, 0.0, 1.0, 0, 0L);
  }

  public boolean sampled() {
    return temperature > 0;
  }
}

package dev.kansoku.metric;

/**
 * What scoring needs of one response: the choice it answers (-1 for generation), its log-likelihood and
 * greedy flag (scoring requests) or its generated text (generation requests), the example's gold answer (for
 * code: the test program) and the request's context (for code: the prompt the completion continues).
 */
public record ChoiceResponse(int choiceIndex, Double loglikelihood, Boolean greedy, String generatedText, String gold,
                             String context) {
  public ChoiceResponse(int choiceIndex, Double loglikelihood, Boolean greedy, String generatedText, String gold) {
    this(choiceIndex, loglikelihood, greedy, generatedText, gold, null);
  }
}

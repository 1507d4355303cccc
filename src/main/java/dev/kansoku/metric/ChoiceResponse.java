package dev.kansoku.metric;

/**
 * What scoring needs of one response: the choice it answers (-1 for generation), its log-likelihood and
 * greedy flag (scoring requests) or its generated text (generation requests), the example's gold answer and,
 * for code, whether the executed program passed and the sandbox's account of it.
 */
public record ChoiceResponse(int choiceIndex, Double loglikelihood, Boolean greedy, String generatedText, String gold,
                             Boolean executionPassed, String executionDetail) {
  public ChoiceResponse(int choiceIndex, Double loglikelihood, Boolean greedy, String generatedText, String gold) {
    this(choiceIndex, loglikelihood, greedy, generatedText, gold, null, null);
  }
}

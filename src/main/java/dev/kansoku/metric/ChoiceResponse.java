package dev.kansoku.metric;

/**
 * What scoring needs of one response: the choice it answers (-1 for generation), its log-likelihood and
 * greedy flag (scoring requests) or its generated text (generation requests), and the example's gold answer.
 */
public record ChoiceResponse(int choiceIndex, Double loglikelihood, Boolean greedy, String generatedText, String gold) {}

package dev.kansoku.metric;

import java.util.Comparator;
import java.util.List;

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

  /** The responses in choice (or sample) order: the order the frameworks index choices and samples in. */
  public static List<ChoiceResponse> inChoiceOrder(List<ChoiceResponse> responses) {
    return responses.stream().sorted(Comparator.comparingInt(ChoiceResponse::choiceIndex)).toList();
  }
}

package dev.kansoku.metric;

import dev.kansoku.sandbox.HumanEvalProblem;
import dev.kansoku.sandbox.PassAtK;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pass@1} from executed samples (the score stage runs them in the sandbox first): one "passed" row per sample
 * with the sandbox's account, and the example's unbiased pass@1 estimate.
 */
final class PassAtOne implements Metric {
  @Override
  public String name() {
    return "pass@1";
  }

  @Override
  public List<ExampleScore> score(List<ChoiceResponse> responses, ScoringContext context) {
    List<ChoiceResponse> samples = ChoiceResponse.inChoiceOrder(responses);
    List<ExampleScore> out = new ArrayList<>();
    int passed = 0;
    for (ChoiceResponse r : samples) {
      if (r.executionPassed() == null) {
        throw new IllegalStateException("pass@1 needs the sample's execution outcome (sample " + r.choiceIndex() + ")");
      }
      passed += r.executionPassed() ? 1 : 0;
      String completion = HumanEvalProblem.stopAtStopWord(r.generatedText() == null ? "" : r.generatedText());
      out.add(new ExampleScore("passed", r.choiceIndex(), r.executionPassed() ? 1.0 : 0.0, completion, null, r.executionDetail()));
    }
    out.add(new ExampleScore(name(), -1, PassAtK.estimate(samples.size(), passed, 1), passed + "/" + samples.size() + " samples passed",
        null, null));
    return out;
  }

  @Override
  public AggregateState newState() {
    return new MeanState();
  }

  @Override
  public boolean executesCode() {
    return true;
  }
}

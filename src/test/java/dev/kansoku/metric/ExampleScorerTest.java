package dev.kansoku.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kansoku.config.TaskSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExampleScorerTest {
  @Test
  void accuracyTakesTheFirstMaximumLikeNumpyArgmax() {
    ExampleScorer acc = new ExampleScorer(List.of("acc"), TaskSpec.Answer.NONE);
    ExampleScore tie = acc.score(List.of(
        new ChoiceResponse(1, -2.0, false, null, "1"),
        new ChoiceResponse(0, -2.0, false, null, "1"))).get(0);
    assertEquals("0", tie.prediction());
    assertEquals(0.0, tie.value());
    ExampleScore right = acc.score(List.of(
        new ChoiceResponse(0, -3.5, false, null, "1"),
        new ChoiceResponse(1, -1.25, true, null, "1"))).get(0);
    assertEquals(1.0, right.value());
  }

  @Test
  void llmJpEvalPostprocessCutsAtBlankLineStripsAndNormalises() {
    AnswerPostprocess p = AnswerPostprocess.LLM_JP_EVAL;
    assertEquals("2", p.prediction(" ２\n\n### 入力:\n..."));
    assertEquals("東京 都", p.prediction("\u3000東京 都\u00a0\n\nrest"));
    assertEquals("ABC", p.prediction("ＡＢＣ"));
    assertEquals("1\n2", p.prediction("1\n2\n\n3"));
    assertEquals("", p.prediction("\n\n2"));
  }

  @Test
  void exactMatchComparesPostprocessedStrings() {
    ExampleScorer em = new ExampleScorer(List.of("exact_match"), new TaskSpec.Answer("llm-jp-eval", false, false, List.of(), false));
    assertEquals(1.0, em.score(List.of(new ChoiceResponse(-1, null, null, "３", "3"))).get(0).value());
    assertEquals(0.0, em.score(List.of(new ChoiceResponse(-1, null, null, "3です", "3"))).get(0).value());
    assertEquals(0.0, em.score(List.of(new ChoiceResponse(-1, null, null, null, "3"))).get(0).value());
  }

  @Test
  void passAtOneFromExecutedSamples() {
    ExampleScorer pass = new ExampleScorer(List.of("pass@1"), TaskSpec.Answer.NONE);
    List<ExampleScore> rows = pass.score(List.of(
        new ChoiceResponse(1, null, null, "    return 2\nprint(1)", "ref", false, "failed: AssertionError"),
        new ChoiceResponse(0, null, null, "    return 1\n", "ref", true, "passed"),
        new ChoiceResponse(2, null, null, "    return 1\n", "ref", true, "passed"),
        new ChoiceResponse(3, null, null, "x", "ref", false, "error: SyntaxError")));
    assertEquals(5, rows.size());
    assertEquals("passed", rows.get(0).metric());
    assertEquals(0, rows.get(0).sampleIndex());
    assertEquals("    return 2", rows.get(1).prediction(), "completion cut at the stop word");
    assertEquals("failed: AssertionError", rows.get(1).detail());
    ExampleScore passAt1 = rows.get(4);
    assertEquals("pass@1", passAt1.metric());
    assertEquals(-1, passAt1.sampleIndex());
    assertEquals(0.5, passAt1.value(), 1e-12, "2 of 4 samples");
  }

  @Test
  void unknownMetricIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new ExampleScorer(List.of("rouge3"), TaskSpec.Answer.NONE));
  }
}

package dev.kansoku.task.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The request-by-request comparison behind PromptGoldensTest and {@code kansoku check-prompts}, without Spark. */
class PromptComparisonTest {
  private static FrameworkGolden golden(boolean special, String... digests) {
    return new FrameworkGolden("t", "f", special, "rule", List.of(), List.of(), digests.length, List.of(), List.of(digests));
  }

  private static PromptComparison.Request req(String example, int choice, String context, String continuation) {
    return new PromptComparison.Request(example, choice, "loglikelihood", context, continuation, false);
  }

  @Test
  void digestsSeparateKindContextAndContinuation() {
    // common.py: sha256(kind + U+0001 + context + U+0001 + (continuation or U+0002)), first 16 hex digits
    assertEquals(16, PromptDigest.of("generate_until", "Q: 1+1?\nA:", null).length());
    assertNotEquals(PromptDigest.of("loglikelihood", "a", " b"), PromptDigest.of("loglikelihood", "a ", "b"));
    assertNotEquals(PromptDigest.of("generate_until", "a", null), PromptDigest.of("generate_until", "a", ""));
  }

  @Test
  void aRequestMatchesOnceAndOrderDoesNotMatter() {
    String a = PromptDigest.of("loglikelihood", "ctx", " A");
    String b = PromptDigest.of("loglikelihood", "ctx", " B");
    PromptComparison c = PromptComparison.of("t", List.of(req("1", 1, "ctx", " B"), req("1", 0, "ctx", " A"),
        req("2", 0, "ctx", " A")), golden(false, a, b));
    // the third request repeats a text the framework renders only once
    assertEquals(2, c.identical());
    assertEquals(3, c.total());
    assertEquals("2", c.onlyKansoku().get(0).exampleId());
    assertFalse(c.everyPlannedIdentical());
  }

  @Test
  void samplesOfOnePromptCountOnceAndTheSpecialTokenChoiceIsCompared() {
    String g = PromptDigest.of("generate_until", "def f():", null);
    PromptComparison.Request sample = new PromptComparison.Request("HumanEval/0", 0, "generate_until", "def f():", null, true);
    PromptComparison.Request other = new PromptComparison.Request("HumanEval/0", 1, "generate_until", "def f():", null, true);
    PromptComparison agrees = PromptComparison.of("t", List.of(sample, other), golden(true, g));
    assertEquals(1, agrees.total());
    assertTrue(agrees.everyPlannedIdentical());
    assertFalse(PromptComparison.of("t", List.of(sample), golden(false, g)).everyPlannedIdentical());
  }
}

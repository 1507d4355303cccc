package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Inputs cut to the maximum length are flagged (issue 15), with lm-evaluation-harness' left-truncation. */
class TruncationTest {
  @Test
  void cutContextsAndPromptsAreFlagged() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    String longText = "これは長い文脈です。".repeat(40);
    try (DjlEngine e = DjlEngine.load(TestPaths.TINY_MODEL, 64)) {
      List<LoglikelihoodResult> ll = e.loglikelihood(List.of(new LoglikelihoodRequest("短い質問:", " はい", false),
          new LoglikelihoodRequest(longText, " はい", false)));
      assertFalse(ll.get(0).truncated());
      assertTrue(ll.get(1).truncated());
      assertTrue(ll.get(1).contextIds().length + ll.get(1).continuationIds().length > 65, "the whole request is longer than 64 + 1");
      List<GenerationResult> g = e.generate(List.of(new GenerationRequest("短い", List.of(), 4, false),
          new GenerationRequest(longText, List.of(), 4, false)));
      assertFalse(g.get(0).truncated());
      assertTrue(g.get(1).truncated());
      assertEquals(60, g.get(1).promptIds().length, "the prompt keeps max_length − max_new_tokens tokens from the right");
    }
  }
}

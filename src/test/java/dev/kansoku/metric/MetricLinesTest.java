package dev.kansoku.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.config.TaskSpec;
import dev.kansoku.sandbox.PassAtK;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kansoku metric's line pairs go through the registered metric: its scores are the metric's own. */
class MetricLinesTest {
  private static final ScoringContext PLAIN = new ScoringContext(TaskSpec.Answer.NONE, null);
  private static final List<String> HYP = List.of("The cat sat on the mat.", "A quick brown fox, 3.5 km away.", "He said no.");
  private static final List<String> REF = List.of("The cat is sitting on the mat.", "The quick brown fox was 3.5 km away.", "He said no.");

  @Test
  void generationMetricsAreTheMeanOfTheirExampleScoresOrTheCorpusScore() {
    assertEquals((CharF1.score("東京都", "東京") + CharF1.score("YES", "yes")) / 2,
        MetricLines.of("char_f1", 1).score(List.of("東京都", "YES"), List.of("東京", "yes"), PLAIN));
    assertEquals(0.5, MetricLines.of("exact_match", 1).score(List.of("東京", "YES"), List.of("東京", "yes"), PLAIN));
    // several golds separated by TABs
    assertEquals(1.0, MetricLines.of("exact_match", 1).score(List.of("Seine"), List.of("The Seine\tSeine"), PLAIN));
    assertEquals(Bleu.corpus(HYP, REF, null), MetricLines.of("bleu", 1).score(HYP, REF, PLAIN), 1e-9);
    double rouge = (Rouge2.fmeasure(REF.get(0), HYP.get(0), null) + Rouge2.fmeasure(REF.get(1), HYP.get(1), null) + 1.0) / 3;
    assertEquals(rouge, MetricLines.of("rouge2", 1).score(HYP, REF, PLAIN), 1e-15);
  }

  @Test
  void squadNamesOfEarlierVersionsAreTheRegistrysExactAndF1() {
    List<String> pred = List.of("the Seine", "unanswerable");
    List<String> ref = List.of("The Seine\tSeine", "");
    assertEquals(MetricLines.of("exact", 1).score(pred, ref, PLAIN), MetricLines.of("squad_exact", 1).score(pred, ref, PLAIN));
    assertEquals(0.5, MetricLines.of("squad_exact", 1).score(pred, ref, PLAIN));
    assertEquals("squad_f1", MetricLines.of("squad_f1", 1).label());
  }

  @Test
  void accuracyComparesChoiceIndices() {
    assertEquals(0.5, MetricLines.of("acc", 1).score(List.of("2", "0"), List.of("2", "3"), PLAIN));
    MetricLines.BadLineException e = assertThrows(MetricLines.BadLineException.class,
        () -> MetricLines.of("acc", 1).score(List.of("2", "0"), List.of("2", "B"), PLAIN));
    assertEquals(2, e.line());
    assertTrue(e.inReferences() && e.getMessage().contains("'B'"), e.getMessage());
  }

  @Test
  void passAtKCountsSamples() {
    MetricLines one = MetricLines.of("pass@k", 1);
    assertFalse(one.needsReferences());
    assertEquals("pass@1", one.label());
    assertEquals(0.15, one.score(List.of("3 10", "0 10"), null, PLAIN), 1e-15);
    MetricLines five = MetricLines.of("pass@1", 5);
    assertEquals("pass@5", five.label());
    assertEquals((PassAtK.estimate(10, 3, 5) + PassAtK.estimate(10, 0, 5)) / 2, five.score(List.of("3 10", "0 10"), null, PLAIN));
    MetricLines.BadLineException e = assertThrows(MetricLines.BadLineException.class, () -> one.score(List.of("3 10", "11 10"), null, PLAIN));
    assertEquals(2, e.line());
    assertFalse(e.inReferences());
  }

  @Test
  void unknownNamesAndModelTokenMetricsAreRefused() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> MetricLines.of("bleurt", 1));
    assertTrue(unknown.getMessage().contains("bleurt") && unknown.getMessage().contains("char_f1"), unknown.getMessage());
    IllegalArgumentException tokens = assertThrows(IllegalArgumentException.class, () -> MetricLines.of("rouge2_jp_harness", 1));
    assertTrue(tokens.getMessage().contains("model's own tokens"), tokens.getMessage());
  }
}

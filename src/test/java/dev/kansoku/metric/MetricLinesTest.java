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
        score(MetricLines.of("char_f1", 1), List.of("東京都", "YES"), List.of("東京", "yes")));
    assertEquals(0.5, score(MetricLines.of("exact_match", 1), List.of("東京", "YES"), List.of("東京", "yes")));
    // several golds separated by TABs
    assertEquals(1.0, score(MetricLines.of("exact_match", 1), List.of("Seine"), List.of("The Seine\tSeine")));
    assertEquals(Bleu.corpus(HYP, REF, null), score(MetricLines.of("bleu", 1), HYP, REF), 1e-9);
    double rouge = (Rouge2.fmeasure(REF.get(0), HYP.get(0), null) + Rouge2.fmeasure(REF.get(1), HYP.get(1), null) + 1.0) / 3;
    assertEquals(rouge, score(MetricLines.of("rouge2", 1), HYP, REF), 1e-15);
  }

  @Test
  void squadNamesOfEarlierVersionsAreTheRegistrysExactAndF1() {
    List<String> pred = List.of("the Seine", "unanswerable");
    List<String> ref = List.of("The Seine\tSeine", "");
    assertEquals(score(MetricLines.of("exact", 1), pred, ref), score(MetricLines.of("squad_exact", 1), pred, ref));
    assertEquals(0.5, score(MetricLines.of("squad_exact", 1), pred, ref));
    assertEquals("squad_f1", MetricLines.of("squad_f1", 1).label());
  }

  @Test
  void accuracyComparesChoiceIndices() {
    assertEquals(0.5, score(MetricLines.of("acc", 1), List.of("2", "0"), List.of("2", "3")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MetricLines.of("acc", 1).score(lines("pred.txt", "2", "0"), lines("ref.txt", "2", "B"), PLAIN));
    assertTrue(e.getMessage().startsWith("ref.txt:2: expected a choice index") && e.getMessage().contains("'B'"), e.getMessage());
  }

  @Test
  void passAtKCountsSamples() {
    MetricLines one = MetricLines.of("pass@k", 1);
    assertFalse(one.needsReferences());
    assertEquals("pass@1", one.label());
    assertEquals(0.15, score(one, List.of("3 10", "0 10"), null), 1e-15);
    MetricLines five = MetricLines.of("pass@1", 5);
    assertEquals("pass@5", five.label());
    assertEquals((PassAtK.estimate(10, 3, 5) + PassAtK.estimate(10, 0, 5)) / 2, score(five, List.of("3 10", "0 10"), null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> one.score(lines("pass.txt", "3 10", "11 10"), null, PLAIN));
    assertTrue(e.getMessage().startsWith("pass.txt:2: expected '<passed> <samples>'"), e.getMessage());
  }

  @Test
  void unknownNamesAndModelTokenMetricsAreRefused() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> MetricLines.of("bleurt", 1));
    assertTrue(unknown.getMessage().contains("bleurt") && unknown.getMessage().contains("char_f1"), unknown.getMessage());
    IllegalArgumentException tokens = assertThrows(IllegalArgumentException.class, () -> MetricLines.of("rouge2_jp_harness", 1));
    assertTrue(tokens.getMessage().contains("model's own tokens"), tokens.getMessage());
  }

  private static double score(MetricLines metric, List<String> predictions, List<String> references) {
    return metric.score(new MetricLines.Lines("pred.txt", predictions), references == null ? null : new MetricLines.Lines("ref.txt", references),
        PLAIN);
  }

  private static MetricLines.Lines lines(String source, String... lines) {
    return new MetricLines.Lines(source, List.of(lines));
  }
}

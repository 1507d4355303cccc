package dev.kansoku.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreMatrixTest {
  private static ScoreCell cell(String m, String t, double v, String source) {
    return new ScoreCell(m, t, v, source);
  }

  @Test
  void sourceRuleDecidesWhenBothExistAndIsWrittenDown() {
    List<ScoreCell> cells = List.of(cell("a", "niilc", 0.5, "published"), cell("a", "niilc", 0.7, "evaluated"),
        cell("b", "niilc", 0.4, "published"), cell("b", "niilc", 0.9, "evaluated"));
    ScoreMatrix m = ScoreMatrix.build(cells, "evaluated", Map.of("b", "published"));
    assertEquals(0.7, m.values()[0][0]);
    assertEquals(0.4, m.values()[1][0]);
    assertTrue(m.notes().stream().anyMatch(n -> n.contains("a / niilc") && n.contains("using evaluated")));
    assertTrue(m.notes().stream().anyMatch(n -> n.contains("b / niilc") && n.contains("prefer=published")));
  }

  @Test
  void tasksInCatalogOrderAndEmptyTaskDropped() {
    List<ScoreCell> cells = new ArrayList<>();
    for (String model : List.of("a", "b", "c")) {
      cells.add(cell(model, "humaneval", 0.1, "published"));
      cells.add(cell(model, "jcommonsenseqa", 0.2, "published"));
    }
    ScoreMatrix m = ScoreMatrix.build(cells, List.of("jcommonsenseqa", "niilc", "humaneval"), "evaluated", Map.of())
        .complete(0.5, "impute", 2);
    assertEquals(List.of("jcommonsenseqa", "humaneval"), m.tasks());
    assertTrue(m.notes().contains("task niilc has no score for any model: dropped"), m.notes().toString());
  }

  @Test
  void lowCoverageModelsAreDroppedAndDropModeRemovesIncompleteOnes() {
    List<ScoreCell> cells = new ArrayList<>();
    String[] tasks = {"jcommonsenseqa", "niilc", "jsquad", "mmlu"};
    double v = 0.1;
    for (String model : List.of("full1", "full2", "full3")) {
      for (String t : tasks) {
        cells.add(cell(model, t, v += 0.03, "published"));
      }
    }
    cells.add(cell("one-task", "niilc", 0.2, "evaluated"));
    for (String t : List.of("jcommonsenseqa", "niilc", "jsquad")) {
      cells.add(cell("three-tasks", t, 0.4, "evaluated"));
    }
    ScoreMatrix raw = ScoreMatrix.build(cells, "evaluated", Map.of());
    ScoreMatrix imputed = raw.complete(0.5, "impute", 1);
    assertEquals(List.of("full1", "full2", "full3", "three-tasks"), imputed.models());
    assertEquals(1, imputed.imputed().size());
    assertEquals("mmlu", imputed.imputed().get(0).taskId());
    ScoreMatrix dropped = raw.complete(0.5, "drop", 1);
    assertEquals(List.of("full1", "full2", "full3"), dropped.models());
    assertTrue(dropped.notes().stream().anyMatch(n -> n.startsWith("model one-task has scores for 1 of 4")));
  }

  @Test
  void iterativePcaRecoversACellOfALowRankMatrix() {
    // 30 models × 6 tasks generated from two factors; one cell hidden and imputed with 2 components
    SplittableRandom rnd = new SplittableRandom(3);
    double[][] x = new double[30][6];
    double[][] w = {{1, 0.8, 0.5, 0.2, 0.1, 0.9}, {0.1, 0.3, -0.4, 0.9, 1.0, -0.2}};
    for (int i = 0; i < 30; i++) {
      double f1 = rnd.nextDouble() * 2 - 1;
      double f2 = rnd.nextDouble() * 2 - 1;
      for (int j = 0; j < 6; j++) {
        x[i][j] = 0.5 + 0.1 * (f1 * w[0][j] + f2 * w[1][j]);
      }
    }
    double truth = x[7][3];
    x[7][3] = Double.NaN;
    IterativePcaImputer.Result r = IterativePcaImputer.impute(x, 2, 500, 1e-9);
    assertEquals(truth, r.values()[7][3], 1e-3);
    assertEquals(x[0][0], r.values()[0][0], 0.0, "observed cells are kept");
  }

  @Test
  void badPublishedRowsAreReportedWithLineAndSkipped(@TempDir Path tmp) throws Exception {
    Path csv = tmp.resolve("scores.csv");
    Files.writeString(csv, String.join("\n",
        "model_id,model_name,task,language,score,source",
        "m1,M1,JCom,ja,0.5,x",
        "m1,M1,NIILC,ja,n/a,x",
        "m1,M1,JCom,ja,0.6,x",
        "m1,M1,Unknown Task,ja,0.6,x",
        "m1,M1,MMLU,en,1.5,x",
        "m2,\"M2, with comma\",MMLU,en,0.25,x", ""));
    PublishedScores.Loaded loaded = PublishedScores.load(csv);
    assertEquals(2, loaded.cells().size());
    assertEquals(4, loaded.problems().size());
    assertTrue(loaded.problems().get(0).startsWith(csv + ":3: score 'n/a'"), loaded.problems().get(0));
    assertTrue(loaded.problems().get(1).contains(":4: duplicate score for m1 / JCom (first at line 2)"), loaded.problems().get(1));
    assertTrue(loaded.problems().get(2).contains(":5: task 'Unknown Task'"));
    assertTrue(loaded.problems().get(3).contains(":6: score 1.5"));
  }

  @Test
  void plainPcaOrientationMakesLoadingSumsPositive() {
    double[][] z = PlainPca.standardize(new double[][] {{1, 2, 3}, {2, 1, 0}, {4, 4, 5}, {0, 1, 1}}, true);
    PlainPca.Result r = PlainPca.fit(z);
    for (int c = 0; c < 3; c++) {
      double sum = 0;
      for (double[] row : r.loadings()) {
        sum += row[c];
      }
      assertTrue(sum >= 0);
    }
    assertEquals(1.0, java.util.Arrays.stream(r.explainedVarianceRatio()).sum(), 1e-12);
  }
}

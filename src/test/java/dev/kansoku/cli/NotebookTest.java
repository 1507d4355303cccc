package dev.kansoku.cli;

import static dev.kansoku.cli.CliRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.cli.CliRuns.Run;
import dev.kansoku.testkit.ReferencePython;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * notebooks/queries.ipynb executed headless (`jupyter nbconvert --execute`, the Python reference environment) on
 * results holding two score sets per (model, task) — a run over 2 examples, then one over 3 — after an analysis:
 * every cell runs, and its default view of task_scores (written as CSV) is row for row the one `kansoku sql` shows,
 * values equal to the last bit, while the history holds both sets (the notebook once read the history and averaged).
 */
class NotebookTest {
  @Test
  void theNotebookShowsTheDefaultViewsOfKansokuSql(@TempDir Path tmp) throws Exception {
    ReferencePython.interpreter();
    Path results = tmp.resolve("results");
    for (String limit : List.of("2", "3")) {
      Run r = run("evaluate", "--results", results.toString(), "-Dkansoku.suite=demo", "-Dkansoku.limit=" + limit);
      assertEquals(0, r.code(), r.err());
    }
    Run analyzed = run("analyze", "--results", results.toString());
    assertEquals(0, analyzed.code(), analyzed.err());
    Path csv = tmp.resolve("notebook-task-scores.csv");
    ReferencePython.runModule(tmp.resolve("nbconvert.log"), 10,
        Map.of("KANSOKU_RESULTS", results.toUri().toString(), "KANSOKU_NOTEBOOK_OUT", csv.toString()),
        "jupyter", "nbconvert", "--to", "notebook", "--execute", TestPaths.REPO.resolve("notebooks/queries.ipynb").toString(),
        "--output-dir", tmp.toString(), "--output", "executed.ipynb");
    String executed = Files.readString(tmp.resolve("executed.ipynb"));
    assertTrue(!executed.contains("\"output_type\": \"error\""), "a cell failed");
    assertTrue(executed.contains("image/png"), "the notebook shows a plot");

    Run sql = run("sql", "--results", results.toString(), "--csv", "--max-rows", "100000",
        "select model_id, task_id, metric, source, value, n from task_scores");
    assertEquals(0, sql.code(), sql.err());
    Map<String, Double> kansoku = rows(sql.out());
    Map<String, Double> notebook = rows(Files.readString(csv));
    assertEquals(kansoku.keySet(), notebook.keySet(), "the same (model, task, metric, source, n) rows");
    kansoku.forEach((k, v) -> assertEquals(v, notebook.get(k), 0.0, k));
    Run history = run("sql", "--results", results.toString(), "--csv", "select count(*) as n from task_scores_history where source = 'evaluated'");
    long evaluated = kansoku.keySet().stream().filter(k -> k.contains("|evaluated|")).count();
    assertTrue(Long.parseLong(history.out().lines().skip(1).findFirst().orElseThrow().trim()) > evaluated,
        "the history holds the older score sets the default view leaves out: " + history.out());
  }

  /** CSV lines (model_id, task_id, metric, source, value, n) keyed by everything but the value. */
  private static Map<String, Double> rows(String csv) {
    Map<String, Double> out = new TreeMap<>();
    List<String> lines = csv.lines().toList();
    int header = lines.indexOf("model_id,task_id,metric,source,value,n");
    assertTrue(header >= 0, "no CSV header in:\n" + csv);
    lines.subList(header + 1, lines.size()).stream().filter(l -> !l.isBlank() && !l.matches("\\(\\d+ rows?\\)")).forEach(l -> {
      String[] f = l.split(",", -1);
      assertEquals(6, f.length, l);
      String n = f[5].isEmpty() || f[5].equals("NULL") ? "" : String.valueOf((long) Double.parseDouble(f[5]));
      out.put(f[0] + "|" + f[1] + "|" + f[2] + "|" + f[3] + "|" + n, Double.parseDouble(f[4]));
    });
    return out;
  }
}

package dev.kansoku.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.results.RequestRow;
import dev.kansoku.results.TableSchemas;
import dev.kansoku.task.PlannedRequest;
import dev.kansoku.task.TaskPlan;
import dev.kansoku.testkit.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan stage: tasks are written once, crossed with every model on read, and each row's request id is its model's. */
class PlannedRequestsTest {
  private static SparkSession spark;
  private static ResolvedRun run;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("plan", 2);
    run = new ConfigLoader(TestPaths.CONF).load(null, Map.of("kansoku.limit", "4"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static List<TaskSpec> twoTasks() {
    return run.tasks().stream().filter(t -> Set.of("jcommonsenseqa", "xwino_en").contains(t.id())).toList();
  }

  /** The registry's model under another id (another model plans the same prompts). */
  private static ModelSpec renamed(ModelSpec m, String id) {
    return new ModelSpec(id, m.name(), m.revision(), m.path(), m.format(), m.dtype(), m.contextLength(), m.generatedWeights(),
        m.parameters(), m.parametersActive(), m.trainingTokensTotal(), m.trainingTokensJa(), m.trainingTokensEn(), m.origin(),
        m.baseModel(), m.sourceFile());
  }

  @Test
  void everyModelGetsEveryTasksRequestsWithItsOwnIds(@TempDir Path tmp) throws Exception {
    List<TaskSpec> tasks = twoTasks();
    assertEquals(2, tasks.size());
    PlannedRequests.Written written = PlannedRequests.write(new Configuration(), tasks, 4, 0.0, tmp.resolve("plan").toString());
    Map<String, Long> expected = new HashMap<>();
    for (TaskSpec t : tasks) {
      expected.put(t.id(), (long) TaskPlan.build(t, 4).requests().size());
    }
    assertEquals(expected, written.requestsByTask());
    assertTrue(written.plans().stream().allMatch(p -> p.requests().isEmpty()), "the driver keeps no prompts");
    // one file per task, without the model's columns
    for (TaskSpec t : tasks) {
      assertTrue(Files.exists(tmp.resolve("plan").resolve(t.id() + ".parquet")));
    }
    assertFalse(List.of(PlannedRequests.taskSchema().fieldNames()).contains(RequestRow.MODEL_ID));

    ModelSpec a = run.models().get(0);
    ModelSpec b = renamed(a, "other-model");
    List<RequestRow> rows = PlannedRequests.of(spark, written, List.of(a, b)).collectAsList().stream().map(RequestRow::from).toList();
    assertEquals(2 * written.requestsPerModel(), rows.size());
    assertEquals(List.of(TableSchemas.schema(TableSchemas.REQUESTS).fieldNames()),
        List.of(PlannedRequests.of(spark, written, List.of(a)).schema().fieldNames()));
    Map<String, List<RequestRow>> byModel = rows.stream().collect(Collectors.groupingBy(RequestRow::modelId));
    assertEquals(Set.of(a.id(), b.id()), byModel.keySet());
    // the first planned request of the task, as the plan stage itself built it, for each model
    PlannedRequest first = TaskPlan.build(tasks.get(0), 4).requests().get(0);
    for (ModelSpec m : List.of(a, b)) {
      RequestRow r = byModel.get(m.id()).stream()
          .filter(x -> x.taskId().equals(first.taskId()) && x.exampleId().equals(first.exampleId()) && x.choiceIndex() == first.choiceIndex())
          .findFirst().orElseThrow();
      assertEquals(RequestRow.planned(first).forModel(m.id(), m.resultRevision()), r);
    }
    Set<String> ids = rows.stream().map(RequestRow::requestId).collect(Collectors.toSet());
    assertEquals(rows.size(), ids.size(), "a request id names one model's request");
  }

  @Test
  void aTaskThatCannotBePlannedLeavesNoStagingBehind(@TempDir Path tmp) throws Exception {
    TaskSpec good = twoTasks().get(0);
    // XWINO with a row of four columns, and bad rows not allowed: planning fails naming the file
    Path tsv = tmp.resolve("xwino-bad.tsv");
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(TestPaths.REPO.resolve("data/benchmarks/xwino_en/dataset.tsv")));
    lines.add(1, "en\tbroken\t?\tthis row has four columns");
    Files.write(tsv, lines);
    TaskSpec bad = new ConfigLoader(TestPaths.CONF).task(TestPaths.CONF.resolve("tasks/xwino_en.conf"),
        Map.of("task.dataset.eval-file", tsv.toString()));
    Path dir = tmp.resolve("plan");
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> PlannedRequests.write(new Configuration(), List.of(good, bad), 4, 0.0, dir.toString()));
    assertTrue(e.getMessage().contains(tsv.toString()), e.getMessage());
    assertFalse(Files.exists(dir), "the staging directory is removed");
  }

  @Test
  void noTasksPlanNoRows(@TempDir Path tmp) throws Exception {
    PlannedRequests.Written written = PlannedRequests.write(new Configuration(), List.of(), 4, 0.0, tmp.resolve("plan").toString());
    assertEquals(0, written.requestsPerModel());
    assertEquals(0, PlannedRequests.of(spark, written, run.models()).count());
  }
}

package dev.kansoku.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.config.RequestKind;
import dev.kansoku.testkit.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's writes: staged chunks committed by rename into their partitions, small tables replaced whole. */
class ResultsStoreTest {
  private static final Timestamp AT = Timestamp.valueOf("2026-12-06 10:00:00");
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("store", 2);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static ResponseRow response(String id, String model, String task) {
    return new ResponseRow(id, "e-" + id, 0, RequestKind.LOGLIKELIHOOD, -1.0, false, 10, 2, false, null, null, null, 8, 1.0, "driver",
        AT, model, task);
  }

  private static Dataset<Row> responses(ResponseRow... rows) {
    return spark.createDataFrame(Stream.of(rows).map(ResponseRow::toRow).toList(), TableSchemas.schema(TableSchemas.RESPONSES));
  }

  @Test
  void aMissingTableReadsAsEmptyWithItsSchema(@TempDir Path tmp) {
    ResultsStore store = new ResultsStore(spark, tmp.toString());
    assertFalse(store.exists(TableSchemas.RESPONSES));
    Dataset<Row> empty = store.read(TableSchemas.RESPONSES);
    assertEquals(0, empty.count());
    assertEquals(TableSchemas.schema(TableSchemas.RESPONSES), empty.schema());
  }

  @Test
  void stagedChunksAreInvisibleUntilCommittedThenLandInTheirPartitions(@TempDir Path tmp) throws Exception {
    ResultsStore store = new ResultsStore(spark, tmp.toString());
    store.append(TableSchemas.RESPONSES, responses(response("r0", "m1", "t1")));
    String staged = store.path("_staging/responses-test-0");
    store.stage(TableSchemas.RESPONSES, responses(response("r1", "m1", "t1"), response("r2", "m2", "t2")), staged);
    // staged, not committed: readers see the table as it was
    assertEquals(List.of("r0"), ids(store));
    int moved = store.commitStaged(TableSchemas.RESPONSES, staged);
    assertTrue(moved >= 2, "one file per written partition at least: " + moved);
    assertEquals(List.of("r0", "r1", "r2"), ids(store));
    // the files went to model_id=/task_id= partitions, and staging holds no data file any more
    assertTrue(Files.isDirectory(tmp.resolve("responses/model_id=m2/task_id=t2")));
    if (Files.exists(Path.of(staged))) {
      try (Stream<Path> left = Files.walk(Path.of(staged))) {
        assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".parquet")), "nothing left in staging");
      }
    }
    // the committed rows read back whole, by name
    ResponseRow back = ResponseRow.from(store.read(TableSchemas.RESPONSES).where("request_id = 'r2'").first());
    assertEquals(response("r2", "m2", "t2"), back);
  }

  @Test
  void overwritingPartitionsKeepsTheOthersWhateverTheSessionDefault(@TempDir Path tmp) {
    ResultsStore store = new ResultsStore(spark, tmp.toString());
    store.append(TableSchemas.RESPONSES, responses(response("r1", "m1", "t1"), response("r2", "m2", "t2")));
    // a notebook's plain session: Spark's default static mode would empty the whole table first
    spark.conf().set("spark.sql.sources.partitionOverwriteMode", "static");
    try {
      store.overwritePartitions(TableSchemas.RESPONSES, responses(response("r3", "m1", "t1")));
    } finally {
      spark.conf().set("spark.sql.sources.partitionOverwriteMode", "dynamic");
    }
    assertEquals(List.of("r2", "r3"), ids(store));
  }

  @Test
  void replacingASmallTableSwapsItWholeAndLeavesNoStaging(@TempDir Path tmp) throws Exception {
    ResultsStore store = new ResultsStore(spark, tmp.toString());
    TaskScoreRow a = new TaskScoreRow("m", "t", "1", "acc", 0.5, null, 4L, TaskScoreRow.EVALUATED, AT, "s1", "r", "fp", 4L, true);
    TaskScoreRow b = new TaskScoreRow("m", "t", "1", "acc", 0.75, null, 4L, TaskScoreRow.EVALUATED, AT, "s2", "r", "fp", 4L, true);
    store.replace(TableSchemas.TASK_SCORES, List.of(a.toRow()), "run1");
    store.replace(TableSchemas.TASK_SCORES, List.of(b.toRow()), "run2");
    List<TaskScoreRow> rows = store.read(TableSchemas.TASK_SCORES).collectAsList().stream().map(TaskScoreRow::from).toList();
    assertEquals(List.of(b), rows);
    try (Stream<Path> staging = Files.list(tmp.resolve("_staging"))) {
      assertEquals(0, staging.count(), "the new table's staging and the old table are gone");
    }
  }

  private static List<String> ids(ResultsStore store) {
    return store.read(TableSchemas.RESPONSES).orderBy(ResponseRow.REQUEST_ID).collectAsList().stream()
        .map(r -> r.<String>getAs(ResponseRow.REQUEST_ID)).toList();
  }
}

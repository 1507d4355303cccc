package dev.kansoku.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.testkit.LocalSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RequestCostTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("cost", 2);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** The request columns RequestCost reads. */
  private static final StructType SCHEMA = new StructType().add("request_id", "string").add("model_id", "string")
      .add("request_kind", "string").add("context", "string").add("continuation", "string").add("max_new_tokens", "int")
      .add("task_id", "string").add("example_id", "string");

  @Test
  void rangesHaveSimilarCostAndKeepEachModelContiguous() {
    List<Row> rows = new ArrayList<>();
    for (String model : List.of("a", "b")) {
      for (int i = 0; i < 60; i++) {
        rows.add(RowFactory.create(model + "-ll-" + i, model, "loglikelihood", "x".repeat(300), " y", 0, "t", "e" + i / 4));
      }
      for (int i = 0; i < 4; i++) {
        rows.add(RowFactory.create(model + "-gen-" + i, model, "generate_until", "x".repeat(300), null, 256, "g", "e" + i));
      }
    }
    // batch size 1: every request is its own unit, costed alone
    Dataset<Row> parts = RequestCost.partition(spark.createDataFrame(rows, SCHEMA), 4, java.util.Map.of(), 1);
    // per partition: its estimated cost and the models it holds, in order
    List<String> summary = parts.mapPartitions((MapPartitionsFunction<Row, String>) it -> {
      double cost = 0;
      List<String> models = new ArrayList<>();
      while (it.hasNext()) {
        Row r = it.next();
        cost += r.<String>getAs("context").length() / 3.0 + (r.<Integer>getAs("max_new_tokens") > 0 ? r.<Integer>getAs("max_new_tokens") * 30.0 : 1);
        String m = r.getAs("model_id");
        if (models.isEmpty() || !models.get(models.size() - 1).equals(m)) {
          models.add(m);
        }
      }
      return List.of(cost + " " + String.join(",", models)).iterator();
    }, Encoders.STRING()).collectAsList();
    double total = 2 * (60 * (100 + 1) + 4 * (100 + 256 * 30.0));
    double max = summary.stream().mapToDouble(s -> Double.parseDouble(s.split(" ")[0])).max().orElseThrow();
    assertTrue(max < 0.5 * total, "no range carries most of the work: " + summary);
    for (String s : summary) {
      String models = s.split(" ").length > 1 ? s.split(" ")[1] : "";
      assertTrue(models.split(",").length <= 2, "a partition switches model at most once: " + summary);
    }
    assertEquals(rows.size(), parts.count());
  }

  /** Ranges hold whole batches of generation requests and whole examples: no part-filled batch, no split question. */
  @Test
  void rangesAreCutBetweenBatchesAndExamples() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      // 25 questions × 4 choices of growing context length
      rows.add(RowFactory.create("ll-" + i, "a", "loglikelihood", "x".repeat(100 + 10 * (i / 4)), " y", 0, "mc", "q" + i / 4));
    }
    for (int i = 0; i < 20; i++) {
      // long generations: costed per request, each would fill a range on its own
      rows.add(RowFactory.create("gen-" + i, "a", "generate_until", "x".repeat(200 + i), null, 256, "g", "e" + i));
    }
    Dataset<Row> parts = RequestCost.partition(spark.createDataFrame(rows, SCHEMA), 4, java.util.Map.of(), 8);
    List<String> perPartition = parts.mapPartitions((MapPartitionsFunction<Row, String>) it -> {
      int generations = 0;
      java.util.Set<String> questions = new java.util.TreeSet<>();
      while (it.hasNext()) {
        Row r = it.next();
        if (r.<String>getAs("request_kind").equals("generate_until")) {
          generations++;
        } else {
          questions.add(r.getAs("example_id"));
        }
      }
      return List.of(generations + " " + String.join(",", questions)).iterator();
    }, Encoders.STRING()).collectAsList();
    int partial = 0;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String p : perPartition) {
      int generations = Integer.parseInt(p.split(" ")[0]);
      partial += generations % 8 == 0 ? 0 : 1;
      for (String q : p.split(" ").length > 1 ? p.split(" ")[1].split(",") : new String[0]) {
        assertTrue(seen.add(q), "question " + q + " is split across ranges: " + perPartition);
      }
    }
    // 20 = 8 + 8 + 4: only the last batch may be part-filled
    assertTrue(partial <= 1, "generation batches are cut across ranges: " + perPartition);
    assertEquals(25, seen.size());
    assertEquals(rows.size(), parts.count());
  }

  /**
   * A context shared by the choices of a question is computed once (prefix reuse), so it is costed once: 16
   * questions whose 4 choices share a 1,000-token context (16k units) weigh less than 8 questions whose choices have 4
   * different 1,100-token contexts (partial evaluation: 35k units), and the cut between two ranges falls inside the
   * second task. Costed per choice (64k units), the first task alone would be more than half and be cut itself.
   */
  @Test
  void aSharedContextIsCostedOnce() {
    List<Row> rows = new ArrayList<>();
    for (int q = 0; q < 16; q++) {
      String shared = String.format("q%02d ", q) + "x".repeat(2996);
      for (int c = 0; c < 4; c++) {
        rows.add(RowFactory.create("shared-" + q + "-" + c, "m", "loglikelihood", shared, " choice " + c, 0, "a-shared", "q" + q));
        if (q < 8) {
          String own = "c" + c + " " + "y".repeat(3294) + String.format("%02d", q);
          rows.add(RowFactory.create("own-" + q + "-" + c, "m", "loglikelihood", own, " rest", 0, "b-own", "q" + q));
        }
      }
    }
    Dataset<Row> parts = RequestCost.partition(spark.createDataFrame(rows, SCHEMA), 2, java.util.Map.of(), 8);
    List<String> tasksPerRange = parts.mapPartitions((MapPartitionsFunction<Row, String>) it -> {
      java.util.Set<String> tasks = new java.util.TreeSet<>();
      it.forEachRemaining(r -> tasks.add(r.getAs("task_id")));
      return List.of(String.join(",", tasks)).iterator();
    }, Encoders.STRING()).collectAsList();
    assertEquals(List.of("a-shared,b-own", "b-own"), tasksPerRange);
  }
}

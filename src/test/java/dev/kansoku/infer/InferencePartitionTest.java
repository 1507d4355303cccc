package dev.kansoku.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.RequestKind;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.config.RunSettings;
import dev.kansoku.inference.ModelPool;
import dev.kansoku.results.RequestRow;
import dev.kansoku.results.TableSchemas;
import dev.kansoku.task.RequestId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The executor side of the infer stage without Spark: forward passes of canonical shapes under the token budget. */
class InferencePartitionTest {
  @AfterEach
  void evict() {
    dev.kansoku.infer.ExecutorModels.POOL.evict();
  }

  @Test
  void longPromptsRunInSmallerBatchesUnderTheTokenBudget() {
    ResolvedRun run = new ConfigLoader(TestPaths.CONF).load(null, Map.of(
        "kansoku.inference.batch-size", "8", "kansoku.inference.batch-tokens", "1000"));
    ModelSpec model = run.models().get(0);
    StructType schema = TableSchemas.schema(TableSchemas.REQUESTS);
    List<Row> rows = new ArrayList<>();
    // sorted by length as the stage sorts them: 6 short prompts (8 tokens), then 4 of 302 tokens
    for (int i = 0; i < 10; i++) {
      String context = i < 6 ? "短い質問 " + i + "?" : "長い文脈。".repeat(60) + i;
      rows.add(request(schema, model, "r" + i, context));
    }
    LongAccumulator passes = new LongAccumulator();
    LongAccumulator computed = new LongAccumulator();
    Iterator<Row> out = new InferencePartition(Map.of(model.id(), model), run.settings(), passes, computed).call(rows.iterator());
    StructType responses = TableSchemas.schema(TableSchemas.RESPONSES);
    List<Row> answered = new ArrayList<>();
    out.forEachRemaining(answered::add); // drained fully: the partition's model lease is released at the end
    for (Row r : answered) {
      assertNull(r.get(responses.fieldIndex("error")));
      // the shape the responses were computed at (their bits depend on it)
      assertEquals(8, r.getInt(responses.fieldIndex("batch_size")));
    }
    // each request: a context pass and a continuation pass (" はい" is 3 tokens: 2 after the first, width 32);
    // the 6 short ones (16 + 32 tokens: 8 rows fit 1000) in one pair of passes; the 302-token ones (320 + 32
    // tokens: 2 rows fit) in two pairs
    assertEquals(2 + 2 * 2, passes.value());
    assertEquals(10, computed.value());
  }

  /**
   * batch-tokens = auto: the model sizes the budget from its memory. With device-memory-gib at 0.2 GiB the tiny
   * model's budget is the floor (256 tokens: one 302-token row's pair of passes at a time), with the host's free
   * memory it is the CPU cap (2,048: 8 short rows or 5 long ones a pass) — the passes counted show which ran.
   */
  @Test
  void autoBatchTokensSizeThePassesFromTheMemoryLeft() {
    int[] passesAt = new int[2];
    String[] memory = {"0.2", "0"};
    for (int m = 0; m < 2; m++) {
      dev.kansoku.infer.ExecutorModels.POOL.evict();
      ResolvedRun run = new ConfigLoader(TestPaths.CONF).load(null, Map.of("kansoku.inference.batch-size", "8",
          "kansoku.inference.batch-tokens", "auto", "kansoku.inference.device-memory-gib", memory[m]));
      assertEquals(RunSettings.AUTO_BATCH_TOKENS, run.settings().batchTokens());
      ModelSpec model = run.models().get(0);
      StructType schema = TableSchemas.schema(TableSchemas.REQUESTS);
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        rows.add(request(schema, model, "r" + i, i < 6 ? "短い質問 " + i + "?" : "長い文脈。".repeat(60) + i));
      }
      LongAccumulator passes = new LongAccumulator();
      LongAccumulator computed = new LongAccumulator();
      Iterator<Row> out = new InferencePartition(Map.of(model.id(), model), run.settings(), passes, computed).call(rows.iterator());
      out.forEachRemaining(r -> assertNull(r.get(TableSchemas.schema(TableSchemas.RESPONSES).fieldIndex("error"))));
      assertEquals(10, computed.value());
      passesAt[m] = passes.value().intValue();
    }
    // 256 tokens: the short rows (48 tokens) 5 to a pass pair → 2 pairs; the long ones (352) alone → 4 pairs
    assertEquals(2 * 2 + 4 * 2, passesAt[0], "floor budget");
    // 2,048 tokens: 6 short rows in one pair, the 4 long ones (5 fit) in one pair
    assertEquals(2 + 2, passesAt[1], "CPU cap");
  }

  private static Row request(StructType schema, ModelSpec model, String id, String context) {
    return new RequestRow(id, id, 0, RequestKind.LOGLIKELIHOOD, context, " はい", 0, List.of(), false, "greedy", 0.0, 1.0, 0, 0L, "0",
        null, null, RequestId.sha256(context), model.resultRevision(), "1.0", model.id(), "t").toRow(schema);
  }
}

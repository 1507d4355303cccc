package dev.kansoku.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.inference.ModelPool;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The executor side of the infer stage without Spark: forward passes of canonical shapes under the token budget. */
class InferencePartitionTest {
  @AfterEach
  void evict() {
    ModelPool.evict();
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

  private static Row request(StructType schema, ModelSpec model, String id, String context) {
    Object[] v = new Object[schema.size()];
    v[schema.fieldIndex("request_id")] = id;
    v[schema.fieldIndex("example_id")] = id;
    v[schema.fieldIndex("choice_index")] = 0;
    v[schema.fieldIndex("request_kind")] = "loglikelihood";
    v[schema.fieldIndex("context")] = context;
    v[schema.fieldIndex("continuation")] = " はい";
    v[schema.fieldIndex("add_special_tokens")] = false;
    v[schema.fieldIndex("model_id")] = model.id();
    v[schema.fieldIndex("task_id")] = "t";
    return new GenericRowWithSchema(v, schema);
  }
}

package dev.kansoku.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kansoku.analysis.ExplainedVarianceRow;
import dev.kansoku.analysis.LoadingRow;
import dev.kansoku.analysis.PcaScoreRow;
import dev.kansoku.analysis.RegressionRow;
import dev.kansoku.analysis.TaskCorrelationRow;
import dev.kansoku.config.RequestKind;
import dev.kansoku.task.PlannedRequest;
import dev.kansoku.text.chat.ChatTemplate;
import dev.kansoku.task.RequestId;
import dev.kansoku.testkit.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each result table's codec against the table's documented schema (data-schemas/*.json, read from the repository,
 * not from the jar's copy): it knows every column and no other, and a row it writes to Parquet through Spark
 * reads back into an equal record.
 */
class TableRowCodecTest {
  private static SparkSession spark;
  private static final Timestamp AT = Timestamp.valueOf("2026-12-06 10:00:00.123");

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("codecs", 1);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** One row of each table with every field set (so a swapped or dropped column shows), and its decoder. */
  static Map<TableRow, Function<Row, TableRow>> samples() {
    RequestRow request = RequestRow.planned(new PlannedRequest("jcommonsenseqa", "1.1", "ex-7", 2, RequestKind.GENERATE_UNTIL,
        "質問: ?", " 答え", 64, List.of("\n\n", "質問:"), true, "2", new PlannedRequest.Decoding(0.2, 0.95, 40, 1234L), "subject",
        "[{\"role\":\"user\",\"content\":\"質問: ?\"}]"))
        .forModel("model-a", "rev-1", ChatTemplate.of("<s>[{{ messages[0].content }}]", Map.of("bos_token", "<s>")).source());
    Map<TableRow, Function<Row, TableRow>> samples = new LinkedHashMap<>();
    samples.put(request, RequestRow::from);
    samples.put(new ResponseRow("rid", "ex-7", 2, RequestKind.LOGLIKELIHOOD, -1.25, true, 120, 3, false, "text", "stop", "boom", 8, 12.5,
        "exec-1", AT, "model-a", "jcommonsenseqa"), ResponseRow::from);
    samples.put(new ExampleScoreRow("1.1", "ex-7", 3, "acc", 1.0, "pred", "gold", "detail", "subject", "model-a", "jcommonsenseqa", "set1"),
        ExampleScoreRow::from);
    samples.put(new TaskScoreRow("model-a", "jcommonsenseqa", "1.1", "acc", 0.5, 0.01, 100L, TaskScoreRow.EVALUATED, AT, "set1", "rev-1",
        "fp", 120L, false), TaskScoreRow::from);
    samples.put(new SubsetScoreRow("model-a", "mmlu", "1.0", "anatomy", "acc", 0.5, 0.01, 10L, AT, "set1", "rev-1", "fp", 12L, true),
        SubsetScoreRow::from);
    samples.put(new ErrorRow("run-1", "load", "data/x.jsonl", 12L, "model-a", "jcommonsenseqa", "rid", "bad row", AT), ErrorRow::from);
    // the analysis job's tables
    samples.put(new ExplainedVarianceRow("standardized", 1, "PC1", 0.6, 0.6, 0.5, 0.7), r -> TableRow.read(r, ExplainedVarianceRow.class));
    samples.put(new LoadingRow("standardized", 2, "PC2", "jcommonsenseqa", -0.3, -0.4, -0.2), r -> TableRow.read(r, LoadingRow.class));
    samples.put(new PcaScoreRow("centered", 1, "PC1", "model-a", 1.5, "ja"), r -> TableRow.read(r, PcaScoreRow.class));
    samples.put(new RegressionRow("PC2", "log10_tokens_ja", "all", 9, 0.5, -1.0, 0.7, 0.84, 0.8, 0.1, 0.3, 0.7, List.of("a", "b"),
        List.of("c")), r -> TableRow.read(r, RegressionRow.class));
    samples.put(new TaskCorrelationRow("jcommonsenseqa", "mmlu", 0.9, 0.85, 35), r -> TableRow.read(r, TaskCorrelationRow.class));
    return samples;
  }

  @Test
  void everyCodecKnowsExactlyTheColumnsOfItsDocumentedSchema() throws Exception {
    for (TableRow row : samples().keySet()) {
      List<String> documented = documentedColumns(row.table());
      assertEquals(documented, TableRow.columns(row.table()), row.table() + ": the jar's schema is data-schemas/");
      for (String column : documented) {
        row.value(column); // throws for a column the codec lacks
      }
      assertEquals(documented.size(), row.getClass().getRecordComponents().length,
          row.table() + ": the record has a field per column, no more");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> row.value("no_such_column"));
      assertTrue(e.getMessage().contains(row.table()) && e.getMessage().contains("no_such_column"), e.getMessage());
    }
  }

  @Test
  void rowsRoundTripThroughParquetByName(@TempDir Path tmp) {
    samples().forEach((row, decode) -> {
      String dir = tmp.resolve(row.table()).toString();
      TableSchemas.Table t = TableSchemas.table(row.table());
      // through Spark's row encoder, as the stages write rows (it takes arrays as Scala sequences only)
      spark.createDataset(List.of(row.toRow()), org.apache.spark.sql.Encoders.row(t.schema())).toDF().write().partitionBy(t.partitionBy().toArray(String[]::new)).parquet(dir);
      // read back as the store reads it: partition columns last, matched by name
      Dataset<Row> back = spark.read().schema(t.schema()).parquet(dir);
      assertEquals(row, decode.apply(back.first()), row.table());
    });
  }

  @Test
  void aRowWithoutARequiredValueIsAnErrorNamingTheColumn() {
    org.apache.spark.sql.types.StructType schema = TableSchemas.schema(TableSchemas.RESPONSES);
    Object[] values = new Object[schema.size()];
    values[schema.fieldIndex(ResponseRow.REQUEST_ID)] = "rid";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ResponseRow.from(new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values, schema)));
    assertTrue(e.getMessage().contains("ResponseRow") && e.getMessage().contains("'choice_index'"), e.getMessage());
  }

  @Test
  void aPlannedRequestGetsItsIdOnlyWithItsModel() {
    PlannedRequest p = new PlannedRequest("t", "1.0", "e1", 0, RequestKind.LOGLIKELIHOOD, "ctx", " cont", 0, List.of(), true, "0");
    RequestRow planned = RequestRow.planned(p);
    assertEquals(null, planned.requestId());
    RequestRow forModel = planned.forModel("m", "r1");
    assertEquals(RequestId.of("m", "r1", "t", "1.0", "e1", 0, RequestKind.LOGLIKELIHOOD, "ctx", " cont", 0, List.of(), true, 0.0, 1.0,
        0, 0L), forModel.requestId());
    assertEquals(RequestId.sha256("ctx"), forModel.promptSha256());
    assertEquals("greedy", forModel.decoding());
  }

  private static List<String> documentedColumns(String table) throws Exception {
    JsonNode root = new ObjectMapper().readTree(Files.readString(Path.of("data-schemas", table + ".json")));
    List<String> names = new ArrayList<>();
    root.get("schema").get("fields").forEach(f -> names.add(f.get("name").asText()));
    return names;
  }
}

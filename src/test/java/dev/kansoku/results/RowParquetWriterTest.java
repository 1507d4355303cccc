package dev.kansoku.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.testkit.LocalSpark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RowParquetWriterTest {
  @Test
  void sparkReadsBackEveryValueNullAndList(@TempDir Path dir) throws Exception {
    StructType schema = new StructType().add("id", "string", false).add("n", "int", true).add("big", "long", true)
        .add("x", "double", true).add("flag", "boolean", true).add("stops", "array<string>", true);
    List<Row> rows = List.of(
        RowFactory.create("a", 1, 10L, 0.5, true, List.of("\n\n", "問題:")),
        RowFactory.create("b", null, null, null, null, null),
        RowFactory.create("c", -1, Long.MAX_VALUE, Double.NaN, false, List.of()),
        RowFactory.create("d", 0, 0L, -2.0, false, Arrays.asList("x", null)));
    Path file = dir.resolve("rows.parquet");
    try (RowParquetWriter w = new RowParquetWriter(new org.apache.hadoop.conf.Configuration(), new org.apache.hadoop.fs.Path(file.toString()), schema)) {
      for (Row r : rows) {
        w.write(r);
      }
      assertEquals(4, w.rows());
    }
    SparkSession spark = LocalSpark.start("parquet", 1);
    try {
      List<Row> back = spark.read().schema(schema).parquet(file.toString()).orderBy("id").collectAsList();
      assertEquals(4, back.size());
      assertEquals(List.of("\n\n", "問題:"), back.get(0).getList(5));
      assertEquals(10L, back.get(0).getLong(2));
      assertTrue(back.get(1).isNullAt(1) && back.get(1).isNullAt(5));
      assertEquals(List.of(), back.get(2).getList(5));
      assertTrue(Double.isNaN(back.get(2).getDouble(3)));
      assertEquals(Arrays.asList("x", null), back.get(3).getList(5));
      // and Spark's own reader agrees on the schema the file declares
      assertEquals(schema.simpleString(), spark.read().parquet(file.toString()).schema().simpleString());
    } finally {
      spark.stop();
    }
  }
}

package dev.kansoku.score;

import static org.apache.spark.sql.functions.broadcast;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The rows of a table whose key columns take one of a few given values: a broadcast semi-join with the keys. */
final class KeyFilter {
  private KeyFilter() {}

  /** {@code table}'s rows whose {@code columns} (string columns) equal one of {@code keys} (one list per key, in column order). */
  static Dataset<Row> keep(Dataset<Row> table, List<List<String>> keys, String... columns) {
    StructType schema = new StructType();
    for (String c : columns) {
      schema = schema.add(c, DataTypes.StringType);
    }
    List<Row> rows = keys.stream().map(k -> RowFactory.create(k.toArray())).toList();
    return table.join(broadcast(table.sparkSession().createDataFrame(rows, schema)), columns, "left_semi");
  }
}

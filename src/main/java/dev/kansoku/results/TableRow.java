package dev.kansoku.results;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One row of a result table as a typed record: the table's codec. It owns the table's column names and is the
 * only place that converts between the record and a Spark {@link Row}: rows are built by column name in the
 * order of the table's schema (data-schemas/), never by position at the call site, and read back by name.
 */
public interface TableRow extends TableKeys {
  /** The table this row belongs to ({@link TableSchemas}). */
  String table();

  /**
   * This row's value of {@code column}, as Spark stores it: the record component of that name in camel case
   * ({@link RecordCodec}); an unknown column is an error naming it.
   */
  default Object value(String column) {
    return RecordCodec.of(((Record) this).getClass()).value(this, table(), column);
  }

  /** The row in its table's schema. */
  default Row toRow() {
    return toRow(TableSchemas.schema(table()));
  }

  /** The row in {@code schema}: a projection of the table's columns, in that schema's order. */
  default Row toRow(StructType schema) {
    RecordCodec<?> codec = RecordCodec.of(((Record) this).getClass());
    StructField[] fields = schema.fields();
    Object[] values = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      values[i] = codec.value(this, table(), fields[i].name());
    }
    // with its schema, so that whoever receives the row can read it by name
    return new GenericRowWithSchema(values, schema);
  }

  /** The error for a column a codec does not have. */
  static IllegalArgumentException unknown(String table, String column) {
    return new IllegalArgumentException("table " + table + " has no column '" + column + "'");
  }

  /** The column names of {@code table}, in schema order. */
  static List<String> columns(String table) {
    return Arrays.asList(TableSchemas.schema(table).fieldNames());
  }

  /** The record of type {@code type} that {@code row} holds, read by column name; columns the row lacks are null. */
  static <R extends Record & TableRow> R read(Row row, Class<R> type) {
    return RecordCodec.of(type).read(row, type.getSimpleName());
  }
}

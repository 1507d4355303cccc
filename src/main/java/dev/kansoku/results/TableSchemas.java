package dev.kansoku.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * Spark schemas of the result tables, read from {@code data-schemas/<table>.json} (packaged in the jar).
 * The code never declares a table's columns itself, so the documented schema is the one written.
 */
public final class TableSchemas {
  public static final String REQUESTS = "requests";
  public static final String RESPONSES = "responses";
  public static final String EXAMPLE_SCORES = "example_scores";
  public static final String TASK_SCORES = "task_scores";
  public static final String SUBSET_SCORES = "subset_scores";
  public static final String ERRORS = "errors";
  public static final List<String> ALL = List.of(REQUESTS, RESPONSES, EXAMPLE_SCORES, TASK_SCORES, SUBSET_SCORES, ERRORS);

  /** A table's columns (partition columns last, as Spark reads them back) and its partition columns. */
  public record Table(String name, StructType schema, List<String> partitionBy) {}

  private TableSchemas() {}

  /** Schemas parsed once per JVM: codecs look them up for every row they build. */
  private static final java.util.Map<String, Table> TABLES = new java.util.concurrent.ConcurrentHashMap<>();

  public static Table table(String name) {
    return TABLES.computeIfAbsent(name, TableSchemas::load);
  }

  private static Table load(String name) {
    String resource = "/data-schemas/" + name + ".json";
    try (InputStream in = TableSchemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource " + resource + " is missing from the classpath");
      }
      JsonNode root = new ObjectMapper().readTree(in);
      StructType schema = (StructType) DataType.fromJson(root.get("schema").toString());
      List<String> partitions = new ArrayList<>();
      root.get("partition_by").forEach(p -> partitions.add(p.asText()));
      return new Table(name, schema, List.copyOf(partitions));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read schema " + resource + ": " + e.getMessage(), e);
    }
  }

  public static StructType schema(String name) {
    return table(name).schema();
  }
}

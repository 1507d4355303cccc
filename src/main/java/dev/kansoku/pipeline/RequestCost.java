package dev.kansoku.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Cost-aware partitioning of the requests of one commit chunk. A request's cost estimate is its prompt length
 * in tokens (≈ characters / 3) plus, for generation, {@code max_new_tokens} × {@link #DECODE_FACTOR} (each
 * generated token is a forward step that reads all weights, far dearer per token than prompt tokens scored in
 * one pass) or, for scoring, the continuation's length. Requests are ordered by (model, kind, prompt length)
 * — so one partition holds one model's requests back to back and batches are length-sorted — and cut into
 * ranges of equal cumulative cost, so a generation-heavy range does not straggle behind cheap scoring ones.
 */
final class RequestCost {
  /** One generated token costs about as much as this many prompt tokens (decode is memory-bound; measured ≈ 20–40 on CPU). */
  static final double DECODE_FACTOR = 30.0;
  static final double CHARS_PER_TOKEN = 3.0;

  private RequestCost() {}

  static Dataset<Row> partition(Dataset<Row> requests, int partitions) {
    Dataset<Row> costed = requests
        .withColumn("_len", length(col("context")))
        .withColumn("_cost", col("_len").divide(CHARS_PER_TOKEN).plus(
            when(col("request_kind").equalTo(lit("generate_until")), col("max_new_tokens").multiply(DECODE_FACTOR))
                .otherwise(length(col("continuation")).divide(CHARS_PER_TOKEN))));
    // one chunk (≤ kansoku.inference.commit-every rows) is ordered in a single window: cheap at that size
    Dataset<Row> cumulative = costed
        .withColumn("_cum", sum(col("_cost")).over(Window.orderBy(col("model_id"), col("request_kind"), col("_len"), col("request_id"))
            .rowsBetween(Window.unboundedPreceding(), Window.currentRow())))
        .withColumn("_total", sum(col("_cost")).over(Window.partitionBy()));
    Dataset<Row> cut = cumulative.withColumn("_part",
        floor(col("_cum").minus(col("_cost")).divide(col("_total")).multiply(partitions)).cast("int"));
    // range i goes to partition i exactly (an Integer key's hash is its value; a range partitioner would
    // sample and could merge ranges)
    org.apache.spark.api.java.JavaRDD<Row> placed = cut.javaRDD()
        .keyBy(r -> r.<Integer>getAs("_part"))
        .partitionBy(new org.apache.spark.HashPartitioner(partitions))
        .values();
    return cut.sparkSession().createDataFrame(placed, cut.schema())
        .sortWithinPartitions(col("model_id"), col("request_kind"), col("_len"))
        .drop("_len", "_cost", "_cum", "_total", "_part");
  }
}

package dev.kansoku.infer;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.kansoku.config.RequestKind;
import dev.kansoku.inference.ModelConfig;
import dev.kansoku.results.RequestRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.StructType;

/**
 * Cost-aware partitioning of the requests of one commit chunk. Costs are in units of one prompt token through
 * the model's linear layers (the projections and the MLP), from the model's {@code config.json}:
 * <ul>
 *   <li>a prompt of T tokens costs T plus T²·a for attention, a = 2·(query width) / (linear FLOPs per token and
 *       layer) — negligible for a 7B model at 2k tokens (≈ 4 %), dominant for a tiny one at 1k;
 *   <li>each scored continuation token adds the LM head, h = 2·vocab·hidden / (layers · linear FLOPs);
 *   <li>each generated token is a decoding step: {@link #DECODE_FACTOR} units (a step reads every weight for
 *       one row, memory-bound), plus, per row, its own pass through the linear layers (1), its attention over the
 *       prompt and the LM head;
 *   <li>a context shared by several requests of one example (the choices of a question) is computed once by the
 *       engine's prefix reuse, so each of those requests carries its share of it.
 * </ul>
 * Token counts are estimated as characters / {@link #CHARS_PER_TOKEN}. Requests are ordered by (model, kind,
 * prompt length, example) — so a partition holds one model's requests back to back and batches are length-sorted — and
 * cut into ranges of equal cumulative cost, so no range straggles behind the others.
 *
 * <p>Ranges are cut only between units that the engine computes together: the choices of one example (their
 * shared context is scored once) and, for generation, each run of {@code batch-size} requests in that order. A
 * batch decodes all its rows in one step, so its decoding cost is that of its longest request, counted once;
 * costing each request's decoding separately spread generation requests thinly over the ranges, which then
 * decoded several part-filled batches (the 50M-parameter bench lost ≈ 10 % of its engine time to that).
 */
public final class RequestCost {
  /** One generated token costs about as much as this many prompt tokens (decode is memory-bound; measured ≈ 20–40 on CPU). */
  static final double DECODE_FACTOR = 30.0;
  static final double CHARS_PER_TOKEN = 3.0;

  private RequestCost() {}

  /** Relative cost constants of one model's architecture. */
  public record ModelCost(double attention, double head) {
    static final ModelCost UNKNOWN = new ModelCost(0.0, 0.0);

    public static ModelCost of(ModelConfig c) {
      double q = (double) c.numHeads() * c.headDim();
      double kv = (double) c.numKvHeads() * c.headDim();
      double d = c.hiddenSize();
      // multiply-adds ×2 per token and layer: q, k, v, o projections and the MLP's matrices (three for SwiGLU, two for
      // GPT-2's GELU MLP; for a mixture of experts: those of the k experts a token is routed to, and the router)
      ModelConfig.FeedForwardShape ffn = c.feedForward();
      double matrices = 2.0 * ffn.matrices();
      double mlp = ffn.isMixture()
          ? matrices * d * c.intermediateSize() * ffn.expertsPerToken() + 2 * d * ffn.experts()
          : matrices * d * c.intermediateSize();
      double linear = 2 * (d * q + 2 * d * kv + q * d) + mlp;
      return new ModelCost(2 * q / linear, 2.0 * c.vocabSize() * d / (c.numLayers() * linear));
    }
  }

  /**
   * @param models cost constants per model id; a model without them is costed by tokens only
   * @param batchSize requests the engine decodes together (inference.batch-size)
   */
  public static Dataset<Row> partition(Dataset<Row> requests, int partitions, Map<String, ModelCost> models, int batchSize) {
    List<Row> constants = new ArrayList<>();
    models.forEach((id, c) -> constants.add(RowFactory.create(id, c.attention(), c.head())));
    StructType schema = new StructType().add("_cost_model", "string").add("_attn", "double").add("_head", "double");
    Dataset<Row> withModel = requests.join(broadcast(requests.sparkSession().createDataFrame(constants, schema)),
        col(RequestRow.MODEL_ID).equalTo(col("_cost_model")), "left");
    Column attn = coalesce(col("_attn"), lit(0.0));
    Column head = coalesce(col("_head"), lit(0.0));
    Column prompt = col("_len").divide(CHARS_PER_TOKEN);
    Column newTokens = coalesce(col(RequestRow.MAX_NEW_TOKENS), lit(0));
    Column generating = col(RequestRow.REQUEST_KIND).equalTo(lit(RequestKind.GENERATE_UNTIL.label()));
    Column promptCost = prompt.plus(prompt.multiply(prompt).multiply(attn));
    // per request: its prompt, and per new token its attention over the prompt and the LM head; the decoding
    // steps themselves are the batch's (below)
    Column generationCost = promptCost.plus(head).plus(newTokens.multiply(
        prompt.plus(newTokens.divide(2)).multiply(attn).multiply(2).plus(head).plus(1)));
    // a context is computed once per example however many choices share it (costing it per choice made 4-choice
    // tasks look 4× dearer than they run, and a bench chunk's generation — 58 % of its time — was costed at < 13 %
    // and sat in one straggling range); per-choice contexts (partial evaluation) are each their own
    Column sharing = count(lit(1)).over(Window.partitionBy(col("_unit"), org.apache.spark.sql.functions.xxhash64(col(RequestRow.CONTEXT))));
    Column scoringCost = promptCost.divide(sharing).plus(length(col(RequestRow.CONTINUATION)).divide(CHARS_PER_TOKEN).plus(1).multiply(head));
    // the order the partitions are sorted in (see the end); generation units are runs of batchSize in it
    Column[] order = {col(RequestRow.MODEL_ID), col(RequestRow.REQUEST_KIND), col("_len"), col(RequestRow.TASK_ID), col(RequestRow.EXAMPLE_ID), col(RequestRow.REQUEST_ID)};
    Column rank = row_number().over(Window.partitionBy(col(RequestRow.MODEL_ID), col(RequestRow.REQUEST_KIND))
        .orderBy(col("_len"), col(RequestRow.TASK_ID), col(RequestRow.EXAMPLE_ID), col(RequestRow.REQUEST_ID))).minus(1);
    WindowSpec unit = Window.partitionBy(col("_unit"));
    Dataset<Row> costed = withModel
        .withColumn("_len", length(col(RequestRow.CONTEXT)))
        .withColumn("_unit", when(generating, concat_ws("/", col(RequestRow.MODEL_ID), lit("generate"), floor(rank.divide(batchSize)).cast("string")))
            .otherwise(concat_ws("/", col(RequestRow.MODEL_ID), col(RequestRow.REQUEST_KIND), col(RequestRow.TASK_ID), col(RequestRow.EXAMPLE_ID))))
        .withColumn("_cost", when(generating, generationCost.plus(
                lit(DECODE_FACTOR).multiply(max(newTokens).over(unit)).divide(count(lit(1)).over(unit))))
            .otherwise(scoringCost))
        .drop("_cost_model", "_attn", "_head");
    // one chunk (≤ kansoku.inference.commit-every rows) is ordered in a single window: cheap at that size
    Dataset<Row> cumulative = costed
        .withColumn("_cum", sum(col("_cost")).over(Window.orderBy(order).rowsBetween(Window.unboundedPreceding(), Window.currentRow())))
        .withColumn("_total", sum(col("_cost")).over(Window.partitionBy()));
    // a unit goes where its first request's cumulative cost falls, so no unit is cut in two
    Dataset<Row> cut = cumulative.withColumn("_part",
        floor(min(col("_cum").minus(col("_cost"))).over(unit).divide(col("_total")).multiply(partitions)).cast("int"));
    // range i goes to partition i exactly (an Integer key's hash is its value; a range partitioner would
    // sample and could merge ranges)
    org.apache.spark.api.java.JavaRDD<Row> placed = cut.javaRDD()
        .keyBy(r -> r.<Integer>getAs("_part"))
        .partitionBy(new org.apache.spark.HashPartitioner(partitions))
        .values();
    return cut.sparkSession().createDataFrame(placed, cut.schema())
        // requests of one example (the choices of a question) adjacent: one batch scores their context once
        .sortWithinPartitions(order)
        .drop("_len", "_unit", "_cost", "_cum", "_total", "_part");
  }
}

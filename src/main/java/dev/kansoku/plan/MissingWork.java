package dev.kansoku.plan;

import static org.apache.spark.sql.functions.col;

import dev.kansoku.results.ModelTask;
import dev.kansoku.results.RequestRow;
import dev.kansoku.results.ResponseRow;
import dev.kansoku.results.ResultsStore;
import dev.kansoku.results.TableSchemas;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The work a run still has to do: its planned requests without a successful response. New request rows are
 * appended to {@code requests} first (a request planned before keeps its row), then an anti-join with the answered
 * rows of {@code responses} leaves what to compute, so a second run of the same plan computes nothing.
 *
 * @param requests the missing requests (requests rows, cached: the infer stage reads them once per chunk)
 * @param byPair how many are missing per (model, task); pairs with nothing missing are absent
 */
public record MissingWork(Dataset<Row> requests, Map<ModelTask, Long> byPair) {
  /** Records {@code planned}'s new requests in the store and finds those without an answer. */
  public static MissingWork find(ResultsStore store, Dataset<Row> planned) {
    Dataset<Row> knownIds = store.read(TableSchemas.REQUESTS).select(RequestRow.REQUEST_ID);
    store.append(TableSchemas.REQUESTS,
        planned.join(knownIds, planned.col(RequestRow.REQUEST_ID).equalTo(knownIds.col(RequestRow.REQUEST_ID)), "left_anti"));
    Dataset<Row> answered = store.read(TableSchemas.RESPONSES).where(col(ResponseRow.ERROR).isNull())
        .select(ResponseRow.REQUEST_ID).distinct();
    Dataset<Row> missing = planned
        .join(answered, planned.col(RequestRow.REQUEST_ID).equalTo(answered.col(ResponseRow.REQUEST_ID)), "left_anti").cache();
    // one pass over the missing requests gives the total, the per-model summary and the progress baseline
    Map<ModelTask, Long> byPair = new LinkedHashMap<>();
    for (Row r : missing.groupBy(RequestRow.MODEL_ID, RequestRow.TASK_ID).count().collectAsList()) {
      byPair.put(new ModelTask(r.getString(0), r.getString(1)), r.getLong(2));
    }
    return new MissingWork(missing, byPair);
  }

  public long count() {
    return byPair.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Missing requests of {@code pair} (0 when all are answered). */
  public long of(ModelTask pair) {
    return byPair.getOrDefault(pair, 0L);
  }

  public void release() {
    requests.unpersist();
  }
}

package dev.kansoku.infer;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kansoku.results.ModelTask;
import dev.kansoku.results.ResponseRow;
import dev.kansoku.results.ResultsStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver-side progress of the inference stage: after every committed chunk, one log line per model × task
 * (requests done / total) and one for the run (tokens/s, ETA), and the same figures in
 * {@code <results-dir>/progress.json}, which a scheduler can poll. Between commits, {@link #computing} adds a run
 * line and refreshes the file every {@code inference.progress-seconds} with the requests that running tasks have
 * computed (from executor heartbeats, {@link LiveProgress}). The file is replaced atomically (written
 * beside it, then renamed over it), so a reader never sees a half-written file.
 */
public final class ProgressTracker {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressTracker.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SparkSession spark;
  private final String file;
  private final String runId;
  private final Map<ModelTask, long[]> doneTotal = new LinkedHashMap<>();
  private final long startNanos = System.nanoTime();
  private final long missingAtStart;
  private long computedThisRun;
  /** Requests computed in the current chunk and not yet counted from its staged rows (live, from heartbeats). */
  private long computing;
  private long tokensThisRun;
  private int chunksDone;
  private final int chunksTotal;

  private ProgressTracker(SparkSession spark, String file, String runId, long missingAtStart, int chunksTotal) {
    this.chunksTotal = chunksTotal;
    this.spark = spark;
    this.file = file;
    this.runId = runId;
    this.missingAtStart = missingAtStart;
  }

  /** @param plannedBy requests planned per model and task
   * @param missingBy requests still to compute per model and task
   * @param chunks commit chunks the run will compute */
  public static ProgressTracker start(SparkSession spark, ResultsStore store, String runId, Map<ModelTask, Long> plannedBy, Map<ModelTask, Long> missingBy,
                               int chunks) {
    long missingTotal = missingBy.values().stream().mapToLong(Long::longValue).sum();
    ProgressTracker t = new ProgressTracker(spark, store.path("progress.json"), runId, missingTotal, chunks);
    plannedBy.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
        t.doneTotal.put(e.getKey(), new long[] {e.getValue() - missingBy.getOrDefault(e.getKey(), 0L), e.getValue()}));
    t.write("running");
    return t;
  }

  /**
   * Counts a computed (staged, not yet committed) chunk: requests and tokens per model × task, in one small
   * aggregation over the staged rows. Returns how many of its requests failed.
   */
  public synchronized long chunkComputed(Dataset<Row> fresh) {
    long failed = 0;
    for (Row r : fresh.groupBy(ResponseRow.MODEL_ID, ResponseRow.TASK_ID)
        .agg(count(lit(1)), sum(coalesce(col(ResponseRow.CONTEXT_TOKENS), lit(0)).plus(coalesce(col(ResponseRow.CONTINUATION_TOKENS), lit(0)))),
            count(col(ResponseRow.ERROR)))
        .collectAsList()) {
      long[] dt = doneTotal.computeIfAbsent(new ModelTask(r.getString(0), r.getString(1)), k -> new long[2]);
      long rows = r.getLong(2);
      long errors = r.getLong(4);
      // failed requests stay missing: the next run retries them
      dt[0] += rows - errors;
      computedThisRun += rows;
      tokensThisRun += r.isNullAt(3) ? 0 : r.getLong(3);
      failed += errors;
    }
    computing = 0;
    return failed;
  }

  /**
   * Reports requests computed so far in this run while a chunk runs ({@code liveComputed}: the accumulator plus
   * running tasks' heartbeat values): a run log line and progress.json's {@code computing}. Called from a timer
   * thread, hence synchronized with the chunk updates.
   */
  public synchronized void computing(long liveComputed) {
    computing = Math.max(0, Math.min(liveComputed, missingAtStart) - computedThisRun);
    LOG.info("progress run {}: chunk {}/{} running, {} of {} missing requests computed ({} in the running chunk), {} requests/s, ETA {}",
        runId, chunksDone + 1, chunksTotal, computedThisRun + computing, missingAtStart, computing,
        String.format(java.util.Locale.ROOT, "%.1f", (computedThisRun + computing) / Math.max(seconds(), 1e-9)), formatEta(etaSeconds()));
    write("running");
  }

  /** Reports the run after a chunk's responses were committed: log lines and progress.json. */
  public synchronized void chunkCommitted(int chunk) {
    chunksDone = chunk;
    for (Map.Entry<ModelTask, long[]> e : doneTotal.entrySet()) {
      LOG.info("progress {}: {}/{} requests", e.getKey(), e.getValue()[0], e.getValue()[1]);
    }
    LOG.info("progress run {}: chunk {}/{}, {} of {} missing requests computed, {} tokens/s, ETA {}", runId, chunk, chunksTotal,
        computedThisRun, missingAtStart, String.format(java.util.Locale.ROOT, "%.0f", tokensPerSecond()), formatEta(etaSeconds()));
    write("running");
  }

  public synchronized void finish() {
    computing = 0;
    write("finished");
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private double tokensPerSecond() {
    return seconds() > 0 ? tokensThisRun / seconds() : 0;
  }

  /** Remaining requests at this run's request rate (committed and live); null before anything was computed. */
  private Double etaSeconds() {
    long done = computedThisRun + computing;
    if (done == 0) {
      return null;
    }
    return (missingAtStart - done) * seconds() / done;
  }

  private static String formatEta(Double s) {
    return s == null ? "unknown" : String.format(java.util.Locale.ROOT, "%.0f s", s);
  }

  private void write(String state) {
    ObjectNode root = JSON.createObjectNode();
    root.put("run_id", runId);
    root.put("state", state);
    root.put("updated_at", Instant.now().toString());
    root.put("chunks_committed", chunksDone);
    root.put("chunks_total", chunksTotal);
    root.put("missing_at_start", missingAtStart);
    root.put("computed", computedThisRun);
    root.put("computing", computing);
    root.put("tokens_per_second", tokensPerSecond());
    Double eta = etaSeconds();
    if (eta == null) {
      root.putNull("eta_seconds");
    } else {
      root.put("eta_seconds", "finished".equals(state) ? 0.0 : eta);
    }
    ArrayNode tasks = root.putArray("tasks");
    doneTotal.forEach((k, dt) -> {
      tasks.addObject().put(ResponseRow.MODEL_ID, k.modelId()).put(ResponseRow.TASK_ID, k.taskId()).put("done", dt[0]).put("total", dt[1]);
    });
    try {
      writeAtomically(root.toPrettyString());
    } catch (IOException e) {
      // progress is advisory: a failed write must not fail the evaluation
      LOG.warn("could not write {}: {}", file, e.getMessage());
    }
  }

  private void writeAtomically(String text) throws IOException {
    dev.kansoku.results.StoredFiles.writeAtomically(spark.sparkContext().hadoopConfiguration(), file,
        text.getBytes(StandardCharsets.UTF_8), runId);
  }


}

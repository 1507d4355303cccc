package dev.kansoku.infer;

import ai.djl.Device;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.RequestKind;
import dev.kansoku.config.RunSettings;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.LanguageModel;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.LoglikelihoodResult;
import dev.kansoku.inference.ModelPool;
import dev.kansoku.storage.ClusterHadoop;
import dev.kansoku.storage.ModelStaging;
import dev.kansoku.results.RequestRow;
import dev.kansoku.results.ResponseRow;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The executor side of the infer stage: streams a partition of requests (sorted by model, kind and length)
 * through the JVM's {@link ModelPool} (a lease held across the batches of one model, so several task slots share
 * the loaded model and run in parallel) in batches of the same model and kind, and emits one response row per
 * request. The engine runs each window of requests in forward passes of canonical shapes ({@link BatchShapes}), so
 * a response's bits do not depend on how the partition grouped it (docs/bit-identity.md). A window that runs out
 * of memory is retried at half the rows; one that fails otherwise is retried request by request, so one bad
 * request costs only its own row (with {@code error} set) and is retried by the next run ({@link BatchBackoff}).
 */
public final class InferencePartition implements MapPartitionsFunction<Row, Row> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InferencePartition.class);
  private final Map<String, ModelSpec> models;
  private final RunSettings settings;
  private final LongAccumulator forwardPasses;
  private final LongAccumulator computed;
  private final LongAccumulator truncated;
  /** Batches' worth of requests handed to the engine at once (the partition is sorted by length). */
  public static final int WINDOW = 32;

  public InferencePartition(Map<String, ModelSpec> models, RunSettings settings,
                            LongAccumulator forwardPasses, LongAccumulator computed) {
    this(models, settings, forwardPasses, computed, new LongAccumulator());
  }

  /** @param truncated counts responses whose context or prompt was cut to fit the maximum length */
  public InferencePartition(Map<String, ModelSpec> models, RunSettings settings,
                            LongAccumulator forwardPasses, LongAccumulator computed, LongAccumulator truncated) {
    this.models = Map.copyOf(models);
    this.settings = settings;
    this.forwardPasses = forwardPasses;
    this.computed = computed;
    this.truncated = truncated;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    ModelLeases leases = new ModelLeases();
    TaskContext task = TaskContext.get();
    if (task != null) {
      // a failed or killed task releases the model too, so other slots may switch models
      task.addTaskCompletionListener((TaskCompletionListener) ctx -> leases.close());
    }
    long startNanos = System.nanoTime();
    return new Iterator<>() {
      private RequestRow pending;
      private Iterator<Row> current = List.<Row>of().iterator();
      private long requests;
      private long generations;

      @Override
      public boolean hasNext() {
        while (!current.hasNext()) {
          List<RequestRow> batch = nextBatch();
          if (batch.isEmpty()) {
            leases.close();
            if (requests > 0) {
              // one line per partition shows stragglers: compare the partitions of a stage
              LOG.info("partition {} of stage {}: {} requests ({} generation) in {} ms", task == null ? -1 : task.partitionId(),
                  task == null ? -1 : task.stageId(), requests, generations, (System.nanoTime() - startNanos) / 1_000_000);
              requests = 0;
            }
            return false;
          }
          requests += batch.size();
          if (batch.get(0).requestKind() != RequestKind.LOGLIKELIHOOD) {
            generations += batch.size();
          }
          current = run(leases, batch).iterator();
        }
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }

      /**
       * The next run of requests of one model and kind, up to {@link #WINDOW} batches' worth: the engine cuts it
       * into forward passes of canonical shapes, so a larger window only lets it fill more of them.
       */
      private List<RequestRow> nextBatch() {
        List<RequestRow> batch = new ArrayList<>();
        while (batch.size() < WINDOW * settings.batchSize() && (pending != null || input.hasNext())) {
          RequestRow r = pending != null ? pending : RequestRow.from(input.next());
          pending = null;
          if (!batch.isEmpty() && !sameGroup(batch.get(0), r)) {
            pending = r;
            break;
          }
          batch.add(r);
        }
        return batch;
      }
    };
  }

  private static boolean sameGroup(RequestRow a, RequestRow b) {
    return a.modelId().equals(b.modelId()) && a.requestKind() == b.requestKind();
  }

  /**
   * The partition's hold on the model pool: kept across consecutive batches of one model (partitions are
   * ordered by model), released when the model changes and when the partition ends.
   */
  private final class ModelLeases {
    private ModelPool.Lease lease;

    LanguageModel model(ModelSpec registered) {
      // a model on shared storage: this machine's verified copy (made once, reused by later tasks and runs)
      ModelSpec spec = ModelStaging.local(registered, ModelStaging.Kind.FULL, ClusterHadoop.configuration(), settings.modelCacheDir());
      List<Device> devices = TaskDevices.assigned();
      if (lease == null || !lease.serves(spec, settings.maxLength(), devices)) {
        close();
        lease = ExecutorModels.POOL.lease(spec, settings.maxLength(), torchThreads(), devices, settings.deviceMemory());
      }
      return lease.model();
    }

    void close() {
      if (lease != null) {
        lease.close();
        lease = null;
      }
    }
  }

  /**
   * PyTorch threads for the JVM's engine: {@code inference.torch-threads}, or the task's CPUs (spark.task.cpus):
   * each task slot then computes its own batches on its own core, Spark's model, rather than slots taking turns
   * with a team of threads that the job's other threads keep preempting (docs/benchmarks.md).
   */
  private int torchThreads() {
    if (settings.torchThreads() > 0) {
      return settings.torchThreads();
    }
    TaskContext task = TaskContext.get();
    return task == null ? 0 : task.cpus();
  }

  private List<Row> run(ModelLeases leases, List<RequestRow> batch) {
    LanguageModel model = leases.model(models.get(batch.get(0).modelId()));
    if (settings.parallelBatches() == 0) {
      return BatchBackoff.run(batch, shapes(model), (b, shapes) -> compute(model, b, shapes), this::failed);
    }
    java.util.concurrent.Semaphore slots = ExecutorModels.batchSlots(settings.parallelBatches());
    slots.acquireUninterruptibly();
    try {
      return BatchBackoff.run(batch, shapes(model), (b, shapes) -> compute(model, b, shapes), this::failed);
    } finally {
      slots.release();
    }
  }

  /**
   * Canonical forward-pass shapes from the settings: a response's bits depend on its request and these alone.
   * {@code batch-tokens = auto} is resolved by the model from its device's free memory, once per loaded model.
   */
  private BatchShapes shapes(LanguageModel model) {
    int tokens = settings.batchTokens();
    if (tokens == RunSettings.AUTO_BATCH_TOKENS) {
      TaskContext task = TaskContext.get();
      int taskCpus = task == null ? 1 : Math.max(1, task.cpus());
      int concurrent = settings.parallelBatches() > 0 ? settings.parallelBatches()
          : Math.max(1, Runtime.getRuntime().availableProcessors() / taskCpus);
      // a backend that cannot size from memory (a served model) runs the default budget
      tokens = model.batchSizing().map(b -> b.autoBatchTokens(settings.deviceMemory().gib(), concurrent).tokens())
          .orElse(BatchShapes.DEFAULT.tokenBudget());
    }
    return BatchShapes.canonical(settings.batchSize(), tokens);
  }

  private List<Row> compute(LanguageModel model, List<RequestRow> batch, BatchShapes shapes) {
    // this thread's passes only: other task slots run batches on the same model at the same time
    long before = model.passCounts().map(LanguageModel.PassCounts::onThisThread).orElse(0L);
    long t0 = System.nanoTime();
    List<Row> out = new ArrayList<>(batch.size());
    if (batch.get(0).requestKind() == RequestKind.LOGLIKELIHOOD) {
      List<LoglikelihoodRequest> reqs = new ArrayList<>();
      for (RequestRow r : batch) {
        reqs.add(new LoglikelihoodRequest(r.context(), r.continuation(), r.addSpecialTokens()));
      }
      List<LoglikelihoodResult> results = model.loglikelihood(reqs, new LanguageModel.CallOptions(shapes));
      double perRequestMs = elapsedMs(t0) / batch.size();
      for (int i = 0; i < batch.size(); i++) {
        LoglikelihoodResult res = results.get(i);
        truncated.add(res.truncated() ? 1 : 0);
        out.add(response(batch.get(i), res.logLikelihood(), res.greedy(), res.contextIds().length,
            res.continuationIds().length, res.truncated(), null, null, shapes.maxRows(), perRequestMs));
      }
    } else {
      List<GenerationRequest> reqs = new ArrayList<>();
      for (RequestRow r : batch) {
        reqs.add(new GenerationRequest(r.context(), r.stopSequences(), r.maxNewTokens(), r.addSpecialTokens(), r.temperature(),
            r.topP(), r.topK(), r.seed()));
      }
      List<GenerationResult> results = model.generate(reqs, new LanguageModel.CallOptions(shapes));
      double perRequestMs = elapsedMs(t0) / batch.size();
      for (int i = 0; i < batch.size(); i++) {
        GenerationResult res = results.get(i);
        truncated.add(res.truncated() ? 1 : 0);
        out.add(response(batch.get(i), null, null, res.promptIds().length, res.generatedIds().length,
            res.truncated(), res.text(), res.finishReason(), shapes.maxRows(), perRequestMs));
      }
    }
    forwardPasses.add(model.passCounts().map(LanguageModel.PassCounts::onThisThread).orElse(0L) - before);
    computed.add(batch.size());
    return out;
  }

  private Row failed(RequestRow r, RuntimeException e) {
    String message = e.getClass().getSimpleName() + ": " + e.getMessage();
    return ResponseRow.failed(r, message, executorId(), new Timestamp(System.currentTimeMillis())).toRow();
  }

  private static double elapsedMs(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  private static Row response(RequestRow req, Double ll, Boolean greedy, int ctxTokens, int contTokens, Boolean truncated,
                              String text, String finish, int batchSize, double elapsedMs) {
    return new ResponseRow(req.requestId(), req.exampleId(), req.choiceIndex(), req.requestKind(), ll, greedy, ctxTokens, contTokens,
        truncated, text, finish, null, batchSize, elapsedMs, executorId(), new Timestamp(System.currentTimeMillis()),
        req.modelId(), req.taskId()).toRow();
  }

  private static String executorId() {
    SparkEnv env = SparkEnv.get();
    return env == null ? "local" : env.executorId();
  }
}

package dev.kansoku.pipeline;

import dev.kansoku.bench.PeakMemory;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.RequestKind;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.config.RunSettings;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.infer.InferencePartition;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.ModelPool;
import dev.kansoku.inference.RandomCheckpoint;
import dev.kansoku.plan.PlannedRequests;
import dev.kansoku.results.RequestRow;
import dev.kansoku.task.PlannedRequest;
import dev.kansoku.task.TaskPlan;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code kansoku bench pipeline}: (a) the same requests through the whole evaluate job on Spark versus the
 * engine called directly in this JVM (same batches, same order rule), as a throughput ratio; (b) a re-run with
 * nothing missing versus the first run; (c) planning the suite for many models: time and peak driver heap.
 */
public final class PipelineBenchmark {
  private PipelineBenchmark() {}

  public static void run(SparkSession spark, ConfigLoader loader, Map<String, String> overrides, Map<String, String> plannerOverrides,
                         int plannerModels, ModelSpec benchModel, int baselineThreads, Path workDir, PrintWriter out) throws Exception {
    ResolvedRun run = withModel(loader.load(null, overrides), benchModel);
    ModelSpec model = run.models().get(0);
    out.printf("pipeline benchmark: %s, %d cores, suite %s, limit %d, batch %d, model %s%n", spark.sparkContext().master(),
        Runtime.getRuntime().availableProcessors(), run.suiteId(), run.settings().limit(), run.settings().batchSize(), model.id());
    List<PlannedRequest> requests = new ArrayList<>();
    for (TaskSpec t : run.tasks()) {
      requests.addAll(TaskPlan.build(t, run.settings().limit()).requests());
    }
    if (model.generatedWeights()) {
      RandomCheckpoint.ensureWeights(Path.of(model.path()));
    }

    // (b's baseline and a's numerator) the whole job on a fresh results directory, then again
    Path results = workDir.resolve("pipeline-results-" + System.nanoTime());
    java.util.Map<String, String> o = new java.util.LinkedHashMap<>(overrides);
    o.put("kansoku.results-dir", results.toString());
    ResolvedRun fresh = withModel(loader.load(null, o), benchModel);
    dev.kansoku.infer.ExecutorModels.POOL.evict();
    long t0 = System.nanoTime();
    EvaluationSummary first = new EvaluateJob(spark, fresh).run();
    double jobSeconds = (System.nanoTime() - t0) / 1e9;
    t0 = System.nanoTime();
    EvaluationSummary again = new EvaluateJob(spark, fresh).run();
    double rerunSeconds = (System.nanoTime() - t0) / 1e9;

    // (a's denominator) the engine alone: same requests, sorted and batched as the inference stage does, once
    // with the job's PyTorch threads per call and once with every core given to the single caller; the
    // faster of the two is the baseline (what running the engine without Spark would give on this machine)
    // (--baseline-threads N measures only a caller with N threads: on 2 cores the one-thread caller was never the
    // faster, and a long run need not pay for it)
    int jobThreads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
    int cores = baselineThreads > 0 ? baselineThreads : Runtime.getRuntime().availableProcessors();
    if (baselineThreads > 0) {
      ai.djl.pytorch.jni.JniUtils.setNumThreads(baselineThreads);
    }
    if (run.settings().batchTokens() == RunSettings.AUTO_BATCH_TOKENS) {
      // the baseline must run the job's exact shapes, and "auto" is resolved inside each executor
      throw new IllegalArgumentException("bench pipeline compares the job with the engine on fixed shapes: set "
          + "kansoku.inference.batch-tokens to a number, not \"auto\"");
    }
    BatchShapes canonical = BatchShapes.canonical(run.settings().batchSize(), run.settings().batchTokens());
    Direct direct = direct(model, run, requests, canonical);
    Direct directAllCores = direct;
    if (baselineThreads == 0 && cores != jobThreads) {
      ai.djl.pytorch.jni.JniUtils.setNumThreads(cores);
      directAllCores = direct(model, run, requests, canonical);
    }
    Direct baseline = direct.seconds() <= directAllCores.seconds() ? direct : directAllCores;
    // the cost of bit-identical responses: the baseline's caller with batches run at their own size and longest row
    ai.djl.pytorch.jni.JniUtils.setNumThreads(baseline == directAllCores && directAllCores != direct ? cores
        : baselineThreads > 0 ? baselineThreads : jobThreads);
    Direct asGiven = direct(model, run, requests, BatchShapes.asGiven());
    ai.djl.pytorch.jni.JniUtils.setNumThreads(jobThreads);
    out.printf("(a) %d requests: whole Spark job %.1f s (%.1f req/s, incl. planning, scoring, Parquet)%n",
        first.computed(), jobSeconds, first.computed() / jobSeconds);
    // where the job's time went: the batches' own compute time, summed from the response rows
    org.apache.spark.sql.Row inJob = spark.read().parquet(results.resolve("responses").toString())
        .selectExpr("sum(elapsed_ms) / 1000").first();
    double batchSeconds = inJob.getDouble(0);
    out.printf("    inside the job: %d forward passes, batches' compute %.1f s summed over task slots%n",
        first.forwardPasses(), batchSeconds);
    out.printf("    engine alone, one caller: %d PyTorch thread(s) %.1f s (%.1f req/s, %d forward passes)",
        baselineThreads > 0 ? baselineThreads : jobThreads, direct.seconds(), requests.size() / direct.seconds(), direct.forwardPasses());
    if (directAllCores != direct) {
      out.printf("; %d threads %.1f s (%.1f req/s)", cores, directAllCores.seconds(), requests.size() / directAllCores.seconds());
    }
    out.println();
    out.printf("    throughput ratio job / engine = %.2f; batch compute in the job / engine alone = %.2f%n",
        (first.computed() / jobSeconds) / (requests.size() / baseline.seconds()), batchSeconds / baseline.seconds());
    out.printf("    bit-identity cost: canonical shapes %.1f s (%d forward passes) / batches as given %.1f s (%d forward passes) = %.2f%n",
        baseline.seconds(), baseline.forwardPasses(), asGiven.seconds(), asGiven.forwardPasses(), baseline.seconds() / asGiven.seconds());
    out.printf("(b) re-run with nothing missing: %.1f s, computed %d, forward passes %d; ratio re-run / first run = %.3f%n",
        rerunSeconds, again.computed(), again.forwardPasses(), rerunSeconds / jobSeconds);

    // (c) the planner: every task of the suite (all examples) rendered and streamed into Parquet on the
    // driver, then crossed with many models on the executors
    if (plannerModels <= 0) {
      out.flush();
      return;
    }
    ResolvedRun plannerRun = loader.load(null, plannerOverrides);
    Path planDir = workDir.resolve("pipeline-plan-" + System.nanoTime());
    System.gc();
    PeakMemory.resetHeapPeak();
    t0 = System.nanoTime();
    PlannedRequests.Written written = PlannedRequests.write(spark.sparkContext().hadoopConfiguration(), plannerRun.tasks(), 0, 1.0,
        planDir.toString());
    double loadSeconds = (System.nanoTime() - t0) / 1e9;
    long planMb;
    try (var files = Files.walk(planDir)) {
      planMb = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum() / (1024 * 1024);
    }
    out.printf("(c) planner: %d tasks read, planned and written in %.1f s: %d requests per model, %d MB of Parquet; driver heap peak %d MB%n",
        written.plans().size(), loadSeconds, written.requestsPerModel(), planMb, PeakMemory.heapMb());
    for (int models : List.of(1, plannerModels)) {
      List<ModelSpec> specs = new ArrayList<>();
      for (int m = 0; m < models; m++) {
        specs.add(new ModelSpec(model.id() + "-" + m, model.name(), model.revision(), model.path(), model.format(), model.dtype(),
            model.contextLength(), model.generatedWeights(), model.parameters(), model.parametersActive(), model.trainingTokensTotal(),
            model.trainingTokensJa(), model.trainingTokensEn(), model.origin(), model.baseModel(), model.sourceFile()));
      }
      PeakMemory.resetHeapPeak();
      long before = PeakMemory.heapMb();
      t0 = System.nanoTime();
      // distinct ids: every row hashed on the executors, nothing collected
      long ids = PlannedRequests.of(spark, written, specs).select(RequestRow.REQUEST_ID).distinct().count();
      double seconds = (System.nanoTime() - t0) / 1e9;
      out.printf("    %3d model(s): %,d request rows with distinct ids in %.1f s (%,.0f rows/s); driver heap peak %d MB (after GC before: %d MB)%n",
          models, ids, seconds, ids / seconds, PeakMemory.heapMb(), before);
    }
    out.flush();
  }

  /**
   * The engine alone on one thread that is not the JVM's main thread, as an executor's task thread: glibc
   * serves the main thread from its main arena, where PyTorch's large temporary buffers are trimmed and
   * re-faulted on every call (measured ≈ 4× slower for the tiny model; the launcher sets MALLOC_* thresholds).
   */
  /** The run with its models replaced by {@code model} (null: as configured). */
  private static ResolvedRun withModel(ResolvedRun run, ModelSpec model) {
    return model == null ? run : new ResolvedRun(run.settings(), run.suiteId(), run.tasks(), List.of(model), run.skippedTasks());
  }

  /** The engine-alone run: wall seconds and the forward passes it ran. */
  private record Direct(double seconds, long forwardPasses) {}

  private static Direct direct(ModelSpec spec, ResolvedRun run, List<PlannedRequest> requests, BatchShapes shapes) throws Exception {
    java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      return thread.submit(() -> directOnThisThread(spec, run, requests, shapes)).get();
    } finally {
      thread.shutdown();
    }
  }

  private static Direct directOnThisThread(ModelSpec spec, ResolvedRun run, List<PlannedRequest> requests, BatchShapes shapes)
      throws Exception {
    List<PlannedRequest> sorted = new ArrayList<>(requests);
    sorted.sort(Comparator.comparing((PlannedRequest r) -> r.kind().label()).thenComparingInt(r -> r.context().length()));
    // the inference stage's windows (WINDOW batches' worth) cut into canonical passes, or one batch as given
    int b = shapes.canonical() ? InferencePartition.WINDOW * run.settings().batchSize() : run.settings().batchSize();
    long t0 = System.nanoTime();
    long passes;
    try (DjlEngine engine = DjlEngine.load(Path.of(spec.path()), Math.min(run.settings().maxLength(), spec.contextLength()))) {
      for (int i = 0; i < sorted.size(); ) {
        RequestKind kind = sorted.get(i).kind();
        int j = i;
        while (j < sorted.size() && j - i < b && sorted.get(j).kind().equals(kind)) {
          j++;
        }
        List<PlannedRequest> batch = sorted.subList(i, j);
        if (RequestKind.LOGLIKELIHOOD.equals(kind)) {
          engine.loglikelihood(batch.stream().map(r -> new LoglikelihoodRequest(r.context(), r.continuation(), r.addSpecialTokens())).toList(),
              shapes);
        } else {
          engine.generate(batch.stream().map(r -> new GenerationRequest(r.context(), r.stop(), r.maxNewTokens(), r.addSpecialTokens(),
              r.decoding().temperature(), r.decoding().topP(), r.decoding().topK(), r.decoding().seed())).toList(), shapes);
        }
        i = j;
      }
      passes = engine.forwardPasses();
    }
    return new Direct((System.nanoTime() - t0) / 1e9, passes);
  }
}

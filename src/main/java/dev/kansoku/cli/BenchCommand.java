package dev.kansoku.cli;

import dev.kansoku.tooling.PeerBenchmark;

import dev.kansoku.analysis.AnalysisBenchmark;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.tooling.InferenceBenchmark;
import dev.kansoku.tooling.LongContextBenchmark;
import dev.kansoku.inference.RandomCheckpoint;
import dev.kansoku.pipeline.PipelineBenchmark;
import dev.kansoku.pipeline.SparkSessions;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kansoku bench <what>}: benchmarks that print figures and ratios against a baseline in the same process. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (figures and ratios, no thresholds).",
    subcommands = {BenchCommand.Analysis.class, BenchCommand.Inference.class, BenchCommand.LongContext.class, BenchCommand.Peer.class,
        BenchCommand.Pipeline.class, BenchCommand.Serve.class})
class BenchCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code --work-dir} of the engine benchmarks: where their model is generated. */
  static final class ModelWorkDir {
    @Option(names = "--work-dir", defaultValue = "target/bench", description = "Where the benchmark model is generated (default: ${DEFAULT-VALUE}).")
    java.nio.file.Path dir;
  }

  @Command(name = "inference", mixinStandardHelpOptions = true,
      description = "Engine throughput on a ~50M-parameter Llama: scoring and generation, KV cache on/off, vs the matmul ceiling.")
  static class Inference implements Callable<Integer> {
    @Mixin
    ModelWorkDir work;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      InferenceBenchmark.run(java.nio.file.Path.of("data/models/kansoku-tiny-llama"), work.dir,
          FewShotPrompts.gsm8k(), spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = {"kansoku serve under concurrent clients on loopback (the harness' scoring requests and greedy generations,",
          "each answer checked against the offline bits) against the engine alone on the same work: throughput, p50/p99, ratio."})
  static class Serve implements Callable<Integer> {
    @Mixin
    ModelWorkDir work;

    @Option(names = "--model", description = "A checkpoint to serve instead of bench inference's 50M-parameter Llama.")
    java.nio.file.Path model;

    @Option(names = "--clients", defaultValue = "32", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--requests", defaultValue = "256", description = "Scoring requests: XWINO, OpenBookQA, HellaSwag and MMLU in turn (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--prompts", defaultValue = "16", description = "GSM8K 4-shot prompts to generate from (default: ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--new-tokens", defaultValue = "32", description = "New tokens per prompt (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      java.nio.file.Path dir = model != null ? model
          : dev.kansoku.tooling.InferenceBenchmark.prepareModel(java.nio.file.Path.of("data/models/kansoku-tiny-llama"), work.dir);
      dev.kansoku.tooling.ServeBenchmark.run(dir, PeerWorkload.of(requests, prompts, newTokens), clients, spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(name = "peer", mixinStandardHelpOptions = true,
      description = {"Kansoku against Hugging Face transformers on one checkpoint saved by transformers (TinyLlama-shaped, 2 layers,",
          "fp32), the same requests and threads: load time, scoring and greedy-generation tokens/s, peak memory, ratios.",
          "Needs the Python reference environment (src/test/python/reference-env.sh)."})
  static class Peer implements Callable<Integer> {
    @Mixin
    ModelWorkDir work;

    @Option(names = "--python", description = "The reference environment's python (default: $KANSOKU_REFERENCE_PYTHON, else created by "
        + "src/test/python/reference-env.sh).")
    java.nio.file.Path python;

    @Option(names = "--threads", description = "PyTorch threads on each side (default: the machine's cores).")
    Integer threads;

    @Option(names = "--requests", defaultValue = "300", description = "Log-likelihood requests: XWINO, OpenBookQA, HellaSwag and MMLU in turn (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--prompts", defaultValue = "8", description = "GSM8K 4-shot prompts to generate from (default: ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--new-tokens", defaultValue = "256", description = "New tokens per prompt (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--kansoku-only", description = "Run Kansoku's side alone and print its timings (while tuning).")
    boolean kansokuOnly;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      java.nio.file.Files.createDirectories(work.dir);
      var workload = PeerWorkload.of(requests, prompts, newTokens);
      PeerBenchmark.run(python != null ? python : PeerWorkload.referencePython(), java.nio.file.Path.of("src/test/python/peer_bench.py"),
          work.dir, java.nio.file.Path.of("data/models/kansoku-tiny-llama"), workload,
          threads != null ? threads : Runtime.getRuntime().availableProcessors(), kansokuOnly, spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(name = "long-context", mixinStandardHelpOptions = true,
      description = "Scoring tokens/s and resident memory as contexts grow (512 to 4,096 tokens); the first length is the baseline.")
  static class LongContext implements Callable<Integer> {
    @Mixin
    ModelWorkDir work;

    @Option(names = "--model", description = "A checkpoint to measure instead of the 50M bench model (e.g. from check-model --out).")
    java.nio.file.Path model;

    @Option(names = "--contexts", split = ",", defaultValue = "512,1024,2048,4096", description = "Context lengths in tokens (default: ${DEFAULT-VALUE}).")
    List<Integer> contexts;

    @Option(names = "--rounds", defaultValue = "5", description = "Rounds per length (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--batch", defaultValue = "0", description = "Requests per round (default 0: as many as one canonical pass of the length holds).")
    int batch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      LongContextBenchmark.run(java.nio.file.Path.of("data/models/kansoku-tiny-llama"), work.dir, model, contexts,
          rounds, batch, spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(name = "analysis", mixinStandardHelpOptions = true,
      description = "The analysis stages on synthetic score matrices of growing size; the first size is the baseline.")
  static class Analysis implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--models", split = ",", defaultValue = "1000,3000,10000", description = "Matrix sizes in models (default: ${DEFAULT-VALUE}).")
    List<Integer> models;

    @Option(names = "--tasks", defaultValue = "100", description = "Tasks (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--bootstrap", defaultValue = "20", description = "Bootstrap replicates (default: ${DEFAULT-VALUE}).")
    int bootstrap;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      var run = config.load(java.util.Map.of());
      return SparkSessions.withSession(run.settings(), spark -> {
        spec.commandLine().getOut().printf("analysis benchmark: %d cores, max heap %d MB, Spark %s%n",
            Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (1024 * 1024), spark.version());
        AnalysisBenchmark.run(spark, models, tasks, bootstrap, spec.commandLine().getOut());
        return 0;
      });
    }
  }

  @Command(name = "pipeline", mixinStandardHelpOptions = true,
      description = {"(a) the evaluate job versus the engine alone on the same requests, (b) a re-run with nothing missing,",
          "(c) the planner on the suite for many models (time, driver heap)."})
  static class Pipeline implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--suite", defaultValue = "pipeline-bench", description = "Suite for (a) and (b) (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(names = "--planner-suite", defaultValue = "swallow", description = "Suite for (c), all examples (default: ${DEFAULT-VALUE}).")
    String plannerSuite;

    @Option(names = "--planner-models", defaultValue = "35", description = "Models for (c); 0 skips (c) (default: ${DEFAULT-VALUE}).")
    int plannerModels;

    @Option(names = "--work-dir", defaultValue = "target/bench", description = "Scratch results (default: ${DEFAULT-VALUE}).")
    java.nio.file.Path workDir;

    @Option(names = "--bench-model", description = {"Run (a) and (b) on bench inference's 50M-parameter Llama (generated in the",
        "work directory) instead of the first configured model; pair it with --suite pipeline-bench-50m."})
    boolean benchModel;

    @Option(names = "--baseline-threads", defaultValue = "0", description = {"PyTorch threads of the engine-alone baseline: 0 runs it",
        "twice, with the job's threads per task and with every core, and takes the faster (default: ${DEFAULT-VALUE})."})
    int baselineThreads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ModelSpec model = benchModel ? benchModelSpec() : null;
      java.util.Map<String, String> o = new java.util.LinkedHashMap<>();
      o.put("kansoku.suite", suite);
      o.putAll(config.overrides);
      var run = config.load(o);
      return SparkSessions.withSession(run.settings(), spark -> {
        java.util.Map<String, String> planner = new java.util.LinkedHashMap<>(o);
        planner.put("kansoku.suite", plannerSuite);
        PipelineBenchmark.run(spark, config.loader(), o, planner,
            plannerModels, model, baselineThreads, workDir.toAbsolutePath(), spec.commandLine().getOut());
        return 0;
      });
    }

    private ModelSpec benchModelSpec() throws java.io.IOException {
      java.nio.file.Path dir = InferenceBenchmark.prepareModel(
          java.nio.file.Path.of("data/models/kansoku-tiny-llama"), workDir.toAbsolutePath());
      return new ModelSpec("bench-llama-50m", "bench-llama-50m",
          "seed-" + RandomCheckpoint.DEFAULT_SEED, dir.toString(), ModelSpec.FORMAT_HF_LLAMA,
          "fp32", 2048, false, 50.6e6, null, null, null, null, "synthetic", null, null);
    }
  }
}

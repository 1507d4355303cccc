package dev.kansoku.cli;

import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.pipeline.EvaluateJob;
import dev.kansoku.pipeline.EvaluationSummary;
import dev.kansoku.pipeline.SparkSessions;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kansoku evaluate}: the evaluate job on the configured suite and models. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Plan, infer (only missing requests), score and aggregate; tables go to <results-dir> as Parquet.")
class EvaluateCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @Option(names = "--suite", description = "Suite id (conf/suites/<id>.conf); overrides kansoku.suite.")
  String suite;

  @Option(names = "--models", split = ",", description = "Comma-separated model ids; overrides kansoku.models.")
  java.util.List<String> models;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, String> extra = new LinkedHashMap<>();
    if (suite != null) {
      extra.put("kansoku.suite", suite);
    }
    if (models != null) {
      // HOCON list syntax inside a -D style override
      extra.put("kansoku.models", "[" + String.join(",", models.stream().map(m -> "\"" + m + "\"").toList()) + "]");
    }
    // explicit -D settings win over these convenience options
    return runAndReport(config.load(extra), spec.commandLine().getOut());
  }

  static int runAndReport(ResolvedRun run, PrintWriter out) throws Exception {
    return runAndReport(run, out, null);
  }

  /** Evaluates, prints the score table and, when a loader is given, analyses the whole matrix after. */
  static int runAndReport(ResolvedRun run, PrintWriter out, ConfigLoader analyzeWith) throws Exception {
    long t0 = System.nanoTime();
    return SparkSessions.withSession(run.settings(), spark -> {
      EvaluationSummary s = new EvaluateJob(spark, run).run();
      ScoreTable.print(s, out);
      out.printf("evaluation run %s finished in %.1f s%n", s.runId(), (System.nanoTime() - t0) / 1e9);
      if (analyzeWith != null) {
        out.println();
        out.println("== analysis: published reference matrix + evaluated models ==");
        AnalyzeCommand.analyze(spark, run, analyzeWith, out);
      }
      out.flush();
      return s.failed() > 0 ? 1 : 0;
    });
  }
}

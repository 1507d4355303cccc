package dev.kansoku.cli;

import dev.kansoku.analysis.AnalysisJob;
import dev.kansoku.analysis.AnalysisOutcome;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.pipeline.SparkSessions;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kansoku analyze}: capability factors over the published reference matrix and evaluated models. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = {"PCA (Spark MLlib) over the models × tasks score matrix, regressions of factor scores on",
        "log10 training compute, task correlations; Parquet tables, summary.json and report/index.html."})
class AnalyzeCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @Option(names = "--no-published", description = "Leave out the published reference scores.")
  boolean noPublished;

  @Option(names = "--no-evaluated", description = "Leave out scores evaluated by Kansoku.")
  boolean noEvaluated;

  @Option(names = "--missing", description = "impute (iterative PCA) or drop; overrides kansoku.analysis.missing.")
  String missing;

  @Option(names = "--centered", description = "Centre tasks only (no z-scoring) for the primary variant.")
  boolean centered;

  @Option(names = "--bootstrap", description = "Bootstrap replicates; overrides kansoku.analysis.bootstrap.")
  Integer bootstrap;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, String> extra = new LinkedHashMap<>();
    if (noPublished) {
      extra.put("kansoku.analysis.include-published", "false");
    }
    if (noEvaluated) {
      extra.put("kansoku.analysis.include-evaluated", "false");
    }
    if (missing != null) {
      extra.put("kansoku.analysis.missing", missing);
    }
    if (centered) {
      extra.put("kansoku.analysis.standardize", "false");
    }
    if (bootstrap != null) {
      extra.put("kansoku.analysis.bootstrap", bootstrap.toString());
    }
    ResolvedRun run = config.load(extra);
    return SparkSessions.withSession(run.settings(), spark -> {
      analyze(spark, run, config.loader(), spec.commandLine().getOut());
      return 0;
    });
  }

  static AnalysisOutcome analyze(SparkSession spark, ResolvedRun run, ConfigLoader loader, PrintWriter out) throws Exception {
    AnalysisOutcome outcome = new AnalysisJob(spark, run.settings().analysis(), run.settings().resultsDir(),
        loader.loadModels()).run();
    AnalysisConsole.print(outcome, out);
    return outcome;
  }
}

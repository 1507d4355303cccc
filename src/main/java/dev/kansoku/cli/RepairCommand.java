package dev.kansoku.cli;

import dev.kansoku.config.ResolvedRun;
import dev.kansoku.results.ResultFiles;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code kansoku repair}: moves unreadable Parquet files of the result tables to {@code _quarantine/<time>/}
 * (nothing is deleted), so the next {@code evaluate} recomputes exactly the requests they held.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
    description = {"Check every Parquet file of the result tables and move unreadable ones to <results>/_quarantine/<time>/;",
        "the next evaluate recomputes what they held. Nothing is deleted."})
class RepairCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ResolvedRun run = config.load(new LinkedHashMap<>());
    // without Spark: its spark.hadoop.* settings still reach the filesystem client
    Configuration conf = dev.kansoku.pipeline.SparkSessions.hadoopConfiguration(run.settings());
    String results = run.settings().resultsDir();
    dev.kansoku.results.StoredFiles.requireReachable(conf, results);
    PrintWriter out = spec.commandLine().getOut();
    List<ResultFiles.Corrupt> corrupt = ResultFiles.corrupt(conf, results);
    if (corrupt.isEmpty()) {
      out.println("every result table file of " + results + " is readable; nothing to repair");
    } else {
      for (ResultFiles.Corrupt c : corrupt) {
        out.println("unreadable: " + c.file() + " (" + c.problem() + ")");
      }
      for (Path moved : ResultFiles.quarantine(conf, results, corrupt)) {
        out.println("moved to " + moved);
      }
      out.println(corrupt.size() + " unreadable file(s) quarantined; the next evaluate recomputes what they held");
    }
    out.flush();
    return 0;
  }
}

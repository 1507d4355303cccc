package dev.kansoku.cli;

import dev.kansoku.config.ResolvedRun;
import dev.kansoku.pipeline.SparkSessions;
import dev.kansoku.results.RequestRow;
import dev.kansoku.task.check.FrameworkGolden;
import dev.kansoku.task.check.PromptComparison;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kansoku check-prompts --against DIR}: what a results directory planned, request by request, against
 * what the reference frameworks render — DIR holds the {@code <task>.json.gz} files that
 * {@code src/test/python/framework_prompts/render_all.sh} writes from the frameworks' own code (the repository's
 * {@code src/test/resources/goldens/frameworks} for the published files). One line per (model, task).
 */
@Command(name = "check-prompts", mixinStandardHelpOptions = true,
    description = {"Compare the requests table of a results directory with the reference frameworks' own rendering",
        "(goldens from src/test/python/framework_prompts/render_all.sh). Exit 0 when every request is identical, 1 otherwise."})
class CheckPromptsCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @Option(names = "--against", required = true, description = "Folder of <task>.json.gz goldens rendered by the frameworks.")
  Path against;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(against)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--against: " + against + " is not a folder of goldens");
    }
    ResolvedRun run = config.load(new LinkedHashMap<>());
    String requests = dev.kansoku.results.StoredFiles.child(run.settings().resultsDir(), "requests");
    org.apache.hadoop.fs.Path table = new org.apache.hadoop.fs.Path(requests);
    if (!table.getFileSystem(dev.kansoku.pipeline.SparkSessions.hadoopConfiguration(run.settings())).isDirectory(table)) {
      throw new CommandLine.ParameterException(spec.commandLine(), requests + ": no requests table (run evaluate first)");
    }
    PrintWriter out = spec.commandLine().getOut();
    return SparkSessions.withSession(run.settings(), spark -> {
      boolean allIdentical = true;
      int checked = 0;
      try (Stream<Path> files = Files.list(against)) {
        for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json.gz")).sorted().toList()) {
          FrameworkGolden golden = FrameworkGolden.read(file);
          String task = file.getFileName().toString().replace(".json.gz", "");
          List<Row> rows = spark.read().parquet(requests).where(org.apache.spark.sql.functions.col(RequestRow.TASK_ID).equalTo(task))
              .select(RequestRow.MODEL_ID, RequestRow.EXAMPLE_ID, RequestRow.CHOICE_INDEX, RequestRow.REQUEST_KIND, RequestRow.CONTEXT,
                  RequestRow.CONTINUATION, RequestRow.ADD_SPECIAL_TOKENS)
              .collectAsList();
          LinkedHashMap<String, List<PromptComparison.Request>> byModel = new LinkedHashMap<>();
          for (Row r : rows) {
            byModel.computeIfAbsent(r.getString(0), m -> new ArrayList<>()).add(new PromptComparison.Request(r.getString(1), r.getInt(2),
                r.getString(3), r.getString(4), r.isNullAt(5) ? null : r.getString(5), r.getBoolean(6)));
          }
          for (var e : byModel.entrySet()) {
            PromptComparison c = PromptComparison.of(task, e.getValue(), golden);
            checked++;
            allIdentical &= c.everyPlannedIdentical();
            out.printf(Locale.ROOT, "%-16s %-28s %7d of %7d identical (framework renders %d); add_special_tokens %s%s%n", task, e.getKey(),
                c.identical(), c.total(), c.frameworkTotal(), c.specialTokensAgree() ? "agrees" : "differs: " + golden.addSpecialTokensRule(),
                c.onlyKansoku().isEmpty() ? "" : "; first differing: example " + c.onlyKansoku().get(0).exampleId());
          }
        }
      }
      out.println(checked == 0 ? "no task of the results directory has a golden in " + against
          : allIdentical ? "every planned request is identical to the frameworks' rendering"
          : "differences found (runs on bundled samples draw few-shot examples from the sample, not the published file)");
      out.flush();
      return checked > 0 && allIdentical ? 0 : 1;
    });
  }
}

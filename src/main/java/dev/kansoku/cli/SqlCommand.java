package dev.kansoku.cli;

import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.pipeline.SparkSessions;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kansoku sql "SELECT ..."}: Spark SQL over every result and analysis table. */
@Command(name = "sql", mixinStandardHelpOptions = true,
    description = {"Run Spark SQL over the result tables (requests, responses, example_scores, task_scores,",
        "errors), the analysis tables (pca_*, regressions, task_correlations) and the models registry view."})
class SqlCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @Parameters(index = "0", arity = "0..1", description = "The query. Without it, lists the views.")
  String query;

  @Option(names = "--max-rows", defaultValue = "100", description = "Rows printed at most (default: ${DEFAULT-VALUE}).")
  int maxRows;

  @Option(names = "--csv", description = "Print CSV instead of an aligned table.")
  boolean csv;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, String> extra = new LinkedHashMap<>();
    ResolvedRun run = config.load(extra);
    PrintWriter out = spec.commandLine().getOut();
    return SparkSessions.withSession(run.settings(), spark -> {
      List<String> views = ResultViews.register(spark, run.settings().resultsDir(), run.settings().analysis().outputDir(),
          config.loader().loadModels());
      if (query == null || query.isBlank()) {
        out.println("views: " + String.join(", ", views));
      } else {
        print(spark.sql(query), out);
      }
      out.flush();
      return 0;
    });
  }

  private void print(Dataset<Row> df, PrintWriter out) {
    String[] cols = df.columns();
    List<Row> rows = df.limit(maxRows + 1).collectAsList();
    List<String[]> cells = new ArrayList<>();
    for (Row r : rows.subList(0, Math.min(rows.size(), maxRows))) {
      String[] c = new String[cols.length];
      for (int i = 0; i < cols.length; i++) {
        c[i] = r.isNullAt(i) ? "NULL" : String.valueOf(r.get(i));
      }
      cells.add(c);
    }
    if (csv) {
      out.println(String.join(",", cols));
      for (String[] c : cells) {
        List<String> quoted = new ArrayList<>();
        for (String v : c) {
          quoted.add(v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v);
        }
        out.println(String.join(",", quoted));
      }
    } else {
      int[] w = new int[cols.length];
      for (int i = 0; i < cols.length; i++) {
        w[i] = cols[i].length();
        for (String[] c : cells) {
          w[i] = Math.min(60, Math.max(w[i], c[i].length()));
        }
      }
      out.println(line(cols, w));
      StringBuilder rule = new StringBuilder();
      for (int width : w) {
        rule.append("-".repeat(width)).append("  ");
      }
      out.println(rule.toString().stripTrailing());
      for (String[] c : cells) {
        out.println(line(c, w));
      }
    }
    out.printf("(%d row%s%s)%n", cells.size(), cells.size() == 1 ? "" : "s", rows.size() > maxRows ? ", more not shown" : "");
  }

  private static String line(String[] values, int[] w) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      String v = values[i].replace('\n', ' ');
      if (v.length() > w[i]) {
        v = v.substring(0, w[i] - 1) + "…";
      }
      b.append(String.format("%-" + w[i] + "s", v)).append("  ");
    }
    return b.toString().stripTrailing();
  }
}

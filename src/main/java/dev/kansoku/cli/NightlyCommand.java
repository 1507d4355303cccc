package dev.kansoku.cli;

import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ModelSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kansoku nightly}: every registered model that has local weights × the suite's tasks, computing only
 * what is missing (a newly registered model brings only its own requests), then the analysis of the whole
 * score matrix. The summary says, per model, how many requests were new.
 */
@Command(name = "nightly", mixinStandardHelpOptions = true,
    description = {"Evaluate every registered model with local weights on the suite (only missing requests are",
        "computed, so a newly registered model costs only its own work), then re-run the analysis."})
class NightlyCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @Option(names = "--suite", description = "Suite id (conf/suites/<id>.conf); overrides kansoku.suite.")
  String suite;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ConfigLoader loader = config.loader();
    List<String> evaluable = loader.loadModels().values().stream().filter(ModelSpec::evaluable).map(ModelSpec::id).sorted().toList();
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("kansoku.models", "[" + String.join(",", evaluable.stream().map(m -> "\"" + m + "\"").toList()) + "]");
    if (suite != null) {
      extra.put("kansoku.suite", suite);
    }
    spec.commandLine().getOut().println("nightly: " + evaluable.size() + " registered model(s) with weights: " + String.join(", ", evaluable));
    return EvaluateCommand.runAndReport(config.load(extra), spec.commandLine().getOut(), loader);
  }
}

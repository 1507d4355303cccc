package dev.kansoku.cli;

import dev.kansoku.config.ConfigLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kansoku demo}: the evaluate job on the embedded default (bundled model and samples). */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Evaluate the bundled random-weight Llama on the bundled samples (XWINO, JCommonsenseQA),",
        "print the score table, then analyse the published reference matrix plus the evaluated models.",
        "The bundled model's scores are chance-level by design."})
class DemoCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return EvaluateCommand.runAndReport(config.load(java.util.Map.of()), spec.commandLine().getOut(),
        config.loader());
  }
}

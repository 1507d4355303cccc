package dev.kansoku.cli;

import dev.kansoku.inference.RandomCheckpoint;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kansoku make-tiny-model}: (re)generates the embedded default model's weights from its seed. */
@Command(name = "make-tiny-model", mixinStandardHelpOptions = true,
    description = "Write deterministic random weights (model.safetensors) for a config.json of any registered architecture.")
class MakeTinyModelCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = "data/models/kansoku-tiny-llama", description = "Model directory (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--seed", defaultValue = "" + RandomCheckpoint.DEFAULT_SEED, description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--std", defaultValue = "" + RandomCheckpoint.DEFAULT_STD, description = "Weight standard deviation (default: ${DEFAULT-VALUE}).")
  double std;

  @Option(names = "--random-norms", description = "Norm weights 1 ± std·√3 instead of ones (test checkpoints that exercise the norm weights).")
  boolean randomNorms;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path out = RandomCheckpoint.writeWeights(dir, seed, std, randomNorms);
    spec.commandLine().getOut().println("wrote " + out);
    return 0;
  }
}

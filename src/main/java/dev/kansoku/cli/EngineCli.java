package dev.kansoku.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kansoku-engine <command>}: the commands that need the inference engine alone — no Spark, Hadoop or
 * Parquet class is loaded — for hosts that carry only the engine's jars (the GPU kit, deploy/gpu): scoring,
 * generation, the shape-true model check, tiny models and the engine benchmarks. {@code EngineOnlyClasspathTest}
 * runs them on a classpath without Spark.
 */
@Command(name = "kansoku-engine", mixinStandardHelpOptions = true, version = "kansoku 0.1.0",
    description = "The inference engine alone (no Spark): loglik, generate, check-model, make-tiny-model, gpu-check, bench.",
    subcommands = {LoglikCommand.class, GenerateCommand.class, CheckModelCommand.class, MakeTinyModelCommand.class,
        GpuCheckCommand.class, EngineCli.Bench.class, CommandLine.HelpCommand.class})
public final class EngineCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(KansokuCli.execute(new EngineCli(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** The engine's benchmarks ({@code kansoku bench inference | long-context} without the Spark ones). */
  @Command(name = "bench", mixinStandardHelpOptions = true, description = "Engine benchmarks (figures and ratios, no thresholds).",
      subcommands = {BenchCommand.Inference.class, BenchCommand.LongContext.class})
  static final class Bench implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }
}

package dev.kansoku.cli;

import dev.kansoku.config.ConfigError;
import dev.kansoku.inference.ModelDoesNotFitException;
import dev.kansoku.inference.ModelFormatException;
import dev.kansoku.inference.ModelLoadException;
import dev.kansoku.results.CorruptResultFileException;
import dev.kansoku.results.ResultsDirectoryException;
import dev.kansoku.results.RunLockedException;
import dev.kansoku.sandbox.SandboxUnavailableException;
import dev.kansoku.task.DatasetFormatException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./kansoku <command>}: the entry point of every job and debugging command. */
@Command(name = "kansoku", mixinStandardHelpOptions = true, version = "kansoku 0.1.0",
    description = "Evaluate LLMs on Japanese and English benchmarks with Spark and DJL, then analyse the scores.",
    footer = {"", "A mistake in the input (configuration, dataset, model, results directory) is one line on stderr and exit code 2;",
        "add --debug anywhere to see its stack trace. Exit code 1: the run finished but some requests failed."},
    subcommands = {DemoCommand.class, EvaluateCommand.class, ServeCommand.class, RepairCommand.class, CheckPromptsCommand.class, NightlyCommand.class, AnalyzeCommand.class, SqlCommand.class, BenchCommand.class, SandboxCommand.class, MetricCommand.class, LoglikCommand.class, GenerateCommand.class,
        MakeTinyModelCommand.class, CheckModelCommand.class, CommandLine.HelpCommand.class})
public final class KansokuCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    SubmittedLogging.quietUnlessConfigured();
    int code = execute(args);
    if ("cluster".equals(System.getProperty("spark.submit.deployMode"))) {
      // a driver spark-submit started on the cluster: YARN's ApplicationMaster takes System.exit, even exit(0), for
      // a failed application ("Shutdown hook called before final status was reported"); returning reports success,
      // throwing reports failure (the one-line error is already on the driver's stderr)
      if (code != 0) {
        throw new IllegalStateException("kansoku " + String.join(" ", args).split(" ")[0] + " failed with exit code " + code);
      }
      return;
    }
    System.exit(code);
  }

  /** Runs a command and returns its exit code; user errors are one line on stderr and exit code 2. */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /**
   * Runs a command writing to the given streams (tests capture them). {@code --debug} anywhere on the line adds
   * the stack trace to a user error's one-line message.
   */
  public static int execute(PrintWriter out, PrintWriter err, String... given) {
    return execute(new KansokuCli(), out, err, given);
  }

  /** As {@link #execute(PrintWriter, PrintWriter, String...)} under another root command ({@link EngineCli}). */
  static int execute(Object root, PrintWriter out, PrintWriter err, String... given) {
    boolean debug = java.util.Arrays.asList(given).contains("--debug");
    String[] args = java.util.Arrays.stream(given).filter(a -> !a.equals("--debug")).toArray(String[]::new);
    CommandLine cli = new CommandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (reportedAsUserError(ex, err, debug)) {
        return 2;
      }
      throw ex;
    });
    try {
      return cli.execute(args);
    } catch (Error e) {
      // Hadoop reports a full local disk as FSError, an Error that picocli's exception handler never sees
      if (reportedAsUserError(e, err, debug)) {
        return 2;
      }
      throw e;
    }
  }

  /** A user error is one line on stderr (the stack trace too with --debug); anything else is not reported here. */
  private static boolean reportedAsUserError(Throwable ex, PrintWriter err, boolean debug) {
    Throwable root = userError(ex);
    if (root == null) {
      return false;
    }
    err.println("error: " + root.getMessage());
    if (debug) {
      ex.printStackTrace(err);
    }
    err.flush();
    return true;
  }

  /** The user-facing cause (bad configuration, model or dataset), if the failure is one. */
  static Throwable userError(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains("No space left on device")) {
        // a full disk under the results directory: what was committed before stays; the next run resumes
        return new IllegalStateException("no space left on the device of the results directory (" + firstLine(t.getMessage())
            + "); committed results are intact: free space and run again to compute only what is missing");
      }
    }
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof ConfigError || t instanceof ModelFormatException || t instanceof DatasetFormatException
          || t instanceof ModelDoesNotFitException
          || t instanceof SandboxUnavailableException
          || t instanceof RunLockedException || t instanceof java.nio.file.NoSuchFileException
          || t instanceof ResultsDirectoryException
          || t instanceof dev.kansoku.storage.ModelStagingException
          || t instanceof CorruptResultFileException
          || t instanceof dev.kansoku.inference.TokenOutOfVocabularyException) {
        return t;
      }
      if (t instanceof ModelLoadException && t.getCause() == null) {
        return t;
      }
    }
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof ModelLoadException) {
        return t;
      }
    }
    return null;
  }

  private static String firstLine(String message) {
    return message.lines().findFirst().orElse(message);
  }
}

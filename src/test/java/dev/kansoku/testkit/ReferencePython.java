package dev.kansoku.testkit;

import dev.kansoku.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Python reference environment (transformers, torch, tokenizers at the versions of
 * {@code src/test/python/requirements.txt}), found through {@code KANSOKU_REFERENCE_PYTHON}, which .ci/run sets from
 * {@code src/test/python/reference-env.sh}. Without it a test that needs the peer is skipped, saying how to get it,
 * except under CI, where a missing peer is a failure: the comparisons must run there.
 */
public final class ReferencePython {
  private ReferencePython() {}

  /** The interpreter, or the test is aborted (skipped) outside CI and failed under CI. */
  public static Path interpreter() {
    String configured = System.getenv("KANSOKU_REFERENCE_PYTHON");
    if (configured != null && !configured.isBlank() && Files.isExecutable(Path.of(configured))) {
      return Path.of(configured);
    }
    String why = "no Python reference environment: export KANSOKU_REFERENCE_PYTHON=\"$(bash src/test/python/reference-env.sh)\"";
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(why + " (.ci/run sets it; under CI the transformers comparisons must run)");
    }
    Assumptions.abort(why);
    return null;
  }

  /** Runs a script of src/test/python with the reference interpreter; its output goes to {@code log}. */
  public static void run(Path log, long timeoutMinutes, String script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(interpreter().toString(), TestPaths.REPO.resolve("src/test/python").resolve(script).toString()));
    command.addAll(List.of(args));
    run(log, timeoutMinutes, script, java.util.Map.of(), command);
  }

  /** Runs {@code python -m module args} with extra environment variables; its output goes to {@code log}. */
  public static void runModule(Path log, long timeoutMinutes, java.util.Map<String, String> env, String module, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(interpreter().toString(), "-m", module));
    command.addAll(List.of(args));
    run(log, timeoutMinutes, module, env, command);
  }

  private static void run(Path log, long timeoutMinutes, String script, java.util.Map<String, String> env, List<String> command)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(script + " did not finish in " + timeoutMinutes + " min; log: " + Files.readString(log));
    }
    if (p.exitValue() != 0) {
      String out = Files.readString(log);
      throw new AssertionError(script + " exited " + p.exitValue() + ": " + out.substring(Math.max(0, out.length() - 4000)));
    }
  }
}

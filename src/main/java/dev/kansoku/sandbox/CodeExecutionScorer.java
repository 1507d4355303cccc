package dev.kansoku.sandbox;

import dev.kansoku.config.SandboxSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs many candidate programs through fresh sandboxes, at most {@code parallelism} at a time (inside a
 * Spark task this bounds what one task slot starts), and reports each outcome in input order.
 */
public final class CodeExecutionScorer {
  private final PythonSandbox sandbox;
  private final int parallelism;

  public CodeExecutionScorer(SandboxSettings settings) {
    this.sandbox = new PythonSandbox(settings);
    this.parallelism = Math.max(1, settings.parallelism());
  }

  public PythonSandbox sandbox() {
    return sandbox;
  }

  public List<ExecutionResult> runAll(List<String> programs) {
    ExecutorService pool = Executors.newFixedThreadPool(parallelism);
    try {
      List<Future<ExecutionResult>> futures = new ArrayList<>();
      for (String program : programs) {
        futures.add(pool.submit(() -> sandbox.run(program)));
      }
      List<ExecutionResult> out = new ArrayList<>();
      for (Future<ExecutionResult> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while executing programs", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("sandbox failure: " + e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}

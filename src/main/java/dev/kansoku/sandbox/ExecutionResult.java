package dev.kansoku.sandbox;

import java.util.Set;

/** The outcome of one program, why, its captured output (truncated) and the layers it ran under. */
public record ExecutionResult(ExecutionOutcome outcome, String detail, String output, int exitCode, long elapsedMs,
                              Set<IsolationLayer> layers) {
  public boolean passed() {
    return outcome == ExecutionOutcome.PASSED;
  }
}

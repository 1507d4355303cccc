package dev.kansoku.sandbox;

/** How a program run ended. Only {@link #PASSED} counts as a pass for pass@k. */
public enum ExecutionOutcome {
  /** The program, tests included, ran to completion. */
  PASSED,
  /** An assertion failed (a test did not pass). */
  FAILED,
  /** Another exception, including exiting early with sys.exit. */
  ERROR,
  /** The per-program time limit, or the wall-clock limit, was reached. */
  TIMED_OUT,
  /** Stopped by a resource limit or signal, or vanished without reporting. */
  KILLED;

  public String label() {
    return name().toLowerCase().replace('_', ' ');
  }
}

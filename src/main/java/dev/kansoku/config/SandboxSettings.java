package dev.kansoku.config;

import java.io.Serializable;

/**
 * Limits and switches of the code-execution sandbox ({@code kansoku.sandbox}). The defaults follow
 * bigcode-evaluation-harness (3 s per program) with hard limits around it.
 *
 * @param allowUnisolated run even when neither a network namespace nor an unprivileged user is available
 */
public record SandboxSettings(
    String python,
    double timeoutSeconds,
    double wallTimeoutSeconds,
    int cpuSeconds,
    long memoryMb,
    int maxProcesses,
    long maxFileMb,
    int maxOpenFiles,
    int maxOutputKb,
    int parallelism,
    String workDir,
    boolean allowUnisolated) implements Serializable {

  public static SandboxSettings defaults() {
    return new SandboxSettings("/usr/bin/python3", 3.0, 15.0, 10, 1024, 32, 16, 64, 64, 2,
        System.getProperty("java.io.tmpdir"), false);
  }
}

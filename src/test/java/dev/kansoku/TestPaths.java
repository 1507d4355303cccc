package dev.kansoku;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locations tests use: the repository (Surefire's working directory) and the shared data beside it. */
public final class TestPaths {
  public static final Path REPO = Path.of("").toAbsolutePath();
  public static final Path CONF = REPO.resolve("conf");
  public static final Path TINY_MODEL = REPO.resolve("data/models/kansoku-tiny-llama");
  public static final Path SHARED = REPO.resolveSibling("shared");

  private TestPaths() {}

  /** The shared benchmark folder, present on developer machines and in CI. */
  public static Path sharedBenchmarks() {
    return SHARED.resolve("benchmarks");
  }

  public static boolean hasShared() {
    return Files.isDirectory(sharedBenchmarks());
  }
}

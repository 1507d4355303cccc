package dev.kansoku;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

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

  /**
   * A repository beside the real one for tests that edit configuration: {@code <tmp>/repo/conf} is a copy of
   * conf/, {@code <tmp>/repo/data} links to the real data. Returns the copied conf directory.
   */
  public static Path repoCopy(Path tmp) throws IOException {
    Path conf = tmp.resolve("repo/conf");
    copyTree(CONF, conf);
    Files.createSymbolicLink(tmp.resolve("repo/data"), REPO.resolve("data"));
    return conf;
  }

  /** Copies a directory tree (tests edit copies of conf/, never the original). */
  public static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}

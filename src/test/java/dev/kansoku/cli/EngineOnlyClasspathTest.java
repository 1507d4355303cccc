package dev.kansoku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The engine's commands run on a classpath without Spark, Hadoop, Scala or Parquet (issue 17: the GPU kit carries
 * the engine's jars alone, 64 MiB in all): a fresh JVM runs {@code EngineCli loglik} and {@code generate} on the
 * bundled tiny model with those jars removed from the test classpath. A Spark class reached from these paths
 * fails it with NoClassDefFoundError.
 */
class EngineOnlyClasspathTest {
  private static final List<String> CLUSTER_ONLY = List.of("/org/apache/spark/", "/org/apache/hadoop/", "/org/scala-lang/",
      "/org/apache/parquet/");

  @Test
  void loglikAndGenerateNeedNoSparkClass() throws Exception {
    String full = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> kept = Arrays.stream(full.split(File.pathSeparator))
        .filter(e -> CLUSTER_ONLY.stream().noneMatch(e.replace('\\', '/')::contains))
        .collect(Collectors.toList());
    assertTrue(kept.size() < full.split(File.pathSeparator).length, "the test classpath holds Spark's jars to remove");
    String classpath = String.join(File.pathSeparator, kept);
    assertFalse(classpath.contains("spark-core"), classpath);
    String loglik = run(classpath, "loglik", "--model", "data/models/kansoku-tiny-llama", "--context", "The capital of Japan is",
        "--continuation", " Tokyo");
    assertTrue(loglik.contains("loglikelihood: -"), loglik);
    String generate = run(classpath, "generate", "--model", "data/models/kansoku-tiny-llama", "--prompt", "日本の首都は",
        "--max-new-tokens", "4");
    assertFalse(generate.contains("NoClassDefFoundError"), generate);
  }

  private static String run(String classpath, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, "-Dai.djl.offline=true", "dev.kansoku.cli.EngineCli"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out");
    assertEquals(0, p.exitValue(), String.join(" ", args) + ":\n" + out);
    return out;
  }
}

package dev.kansoku.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kansoku.TestPaths;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU kit cannot rot: deploy/gpu/build-kit.sh builds it (a jlinked runtime, the engine's jars, no Spark) within
 * the size limit, and deploy/gpu/run.sh --cpu runs every check from it on this machine's CPU and passes.
 */
class GpuKitTest {
  @Test
  void theKitBuildsUnderTheLimitAndItsChecksPassOnTheCpu(@TempDir Path tmp) throws Exception {
    // the engine jar from the compiled classes, and the test run's Maven jars as the classpath (no nested package build)
    Path jar = tmp.resolve("kansoku.jar");
    jarOf(TestPaths.REPO.resolve("target/classes"), jar);
    Path classpath = tmp.resolve("classpath.txt");
    Files.writeString(classpath, String.join(File.pathSeparator, Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> e.endsWith(".jar") && e.contains(File.separator + "repository" + File.separator)).toList()));
    Path kit = tmp.resolve("kit");
    Run build = run(tmp, List.of("bash", "deploy/gpu/build-kit.sh", "--out", kit.toString()),
        List.of("KANSOKU_JAR=" + jar, "KANSOKU_CLASSPATH_FILE=" + classpath));
    assertEquals(0, build.code(), build.output());
    assertTrue(build.output().contains("gpu kit: ") && build.output().contains("of 64 MiB"), build.output());
    try (Stream<Path> jars = Files.list(kit.resolve("lib"))) {
      List<String> names = jars.map(p -> p.getFileName().toString()).toList();
      assertTrue(names.stream().anyMatch(n -> n.startsWith("pytorch-jni-")), names.toString());
      assertFalse(names.stream().anyMatch(n -> n.contains("spark") || n.contains("hadoop") || n.contains("scala")
          || n.contains("parquet") || n.contains("pytorch-native-cpu")), names.toString());
    }

    Path out = tmp.resolve("out");
    Run checks = run(tmp, List.of("bash", "deploy/gpu/run.sh", "--cpu", "--kit", kit.toString(), "--out", out.toString()),
        List.of("KANSOKU_KIT_WORK=" + tmp.resolve("work")));
    assertEquals(0, checks.code(), checks.output());
    ObjectMapper json = new ObjectMapper();
    JsonNode runInfo = json.readTree(out.resolve("run.json").toFile());
    assertEquals("cpu", runInfo.get("mode").asText());
    assertEquals(0, runInfo.get("gpu_check_exit").asInt());
    JsonNode figures = json.readTree(out.resolve("figures.json").toFile()).get("checks");
    for (String check : List.of("a_goldens", "b_throughput", "e_layer_split", "f_batch_invariance")) {
      assertEquals("passed", figures.get(check).get("status").asText(), check + ": " + figures.get(check));
    }
    assertTrue(figures.get("a_goldens").get("fp32").get("greedy_ids_equal").asBoolean());
    // a CUDA out-of-memory error needs a GPU: on the CPU the check says why it did not run
    assertEquals("skipped", figures.get("d_out_of_memory").get("status").asText());
    JsonNode scoring = figures.get("b_throughput").get("models").get(0).get("scoring");
    assertTrue(scoring.get(0).get("tokens_per_second").asDouble() > 0, scoring.toString());
  }

  private record Run(int code, String output) {}

  private static Run run(Path tmp, List<String> command, List<String> env) throws IOException, InterruptedException {
    Path log = Files.createTempFile(tmp, "run", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).directory(TestPaths.REPO.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    for (String e : env) {
      pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
    }
    int code = pb.start().waitFor();
    return new Run(code, Files.readString(log));
  }

  private static void jarOf(Path classes, Path jar) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new ZipEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
  }
}

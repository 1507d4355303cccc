package dev.kansoku.cluster;

import dev.kansoku.TestPaths;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A real Spark standalone master and workers on 127.0.0.1, started by {@code deploy/standalone/standalone.sh}
 * from the project's own Maven runtime classpath plus a jar of {@code target/classes}.
 */
final class StandaloneCluster implements AutoCloseable {
  private static final Path SCRIPT = TestPaths.REPO.resolve("deploy/standalone/standalone.sh");
  final Path dir;
  final String masterUrl;
  final List<String> jars;

  private StandaloneCluster(Path dir, String masterUrl, List<String> jars) {
    this.dir = dir;
    this.masterUrl = masterUrl;
    this.jars = jars;
  }

  static StandaloneCluster start(Path dir, int workers) throws Exception {
    Files.createDirectories(dir);
    List<String> jars = new ArrayList<>(runtimeJars());
    jars.add(classesJar(dir.resolve("kansoku-classes.jar")).toString());
    return start(dir, workers, jars);
  }

  /** A cluster whose daemons, drivers and executors see {@code jars} alone (applications bring their own jar). */
  static StandaloneCluster start(Path dir, int workers, List<String> jars) throws Exception {
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString(), "start", dir.toString(), Integer.toString(workers)));
    cmd.addAll(jars);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0 || !out.startsWith("spark://")) {
      StringBuilder logs = new StringBuilder();
      try (Stream<Path> files = Files.list(dir.resolve("logs"))) {
        for (Path f : files.sorted().toList()) {
          List<String> lines = Files.readAllLines(f);
          logs.append("\n== ").append(f.getFileName()).append("\n")
              .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
        }
      }
      throw new IllegalStateException("standalone cluster did not start: " + out + logs);
    }
    return new StandaloneCluster(dir, out, jars);
  }

  /** The jars Maven resolved for runtime (written by the build to target/classpath.txt). */
  static List<String> runtimeJars() throws IOException {
    Path cp = TestPaths.REPO.resolve("target/classpath.txt");
    return List.of(Files.readString(cp).trim().split(java.io.File.pathSeparator));
  }

  /** The executors load Kansoku's classes from this jar (the Worker's executor classpath takes jars only). */
  static Path classesJar(Path jar) throws IOException {
    Path classes = TestPaths.REPO.resolve("target/classes");
    try (OutputStream raw = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(raw);
         Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  /** Executor JVMs of this cluster (CoarseGrainedExecutorBackend processes started by its workers). */
  List<ProcessHandle> executors() {
    return ProcessHandle.allProcesses().filter(p -> {
      String cmd = cmdline(p.pid());
      return cmd.contains("CoarseGrainedExecutorBackend") && cmd.contains(dir.toString());
    }).toList();
  }

  /** The executor JVM that Spark knows by this id (its command line carries {@code --executor-id <id>}). */
  Optional<ProcessHandle> executor(String executorId) {
    return executors().stream().filter(p -> executorIdOf(cmdline(p.pid())).equals(executorId)).findFirst();
  }

  private static String executorIdOf(String cmd) {
    List<String> args = List.of(cmd.split(" "));
    int i = args.indexOf("--executor-id");
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : "";
  }

  static String cmdline(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws Exception {
    new ProcessBuilder("bash", SCRIPT.toString(), "stop", dir.toString()).inheritIO().start().waitFor();
    for (ProcessHandle e : executors()) {
      e.destroyForcibly();
    }
  }
}

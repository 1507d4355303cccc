package dev.kansoku.sandbox;

import dev.kansoku.config.SandboxSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one untrusted Python program in layers of isolation (see {@link IsolationLayer}): a fresh
 * directory, a clean environment, resource limits set by the runner before the program starts, its own
 * PID, network and mount namespaces with a read-only root under bubblewrap (or network and PID namespaces
 * under {@code unshare}), the unprivileged user {@code nobody} when the JVM is root, and a wall-clock limit
 * after which the whole process tree is killed. Nothing is reused between runs.
 */
public final class PythonSandbox {
  private static final Logger LOG = LoggerFactory.getLogger(PythonSandbox.class);
  private static final int NOBODY = 65534;
  private static final String INNER_DIR = "/tmp/sandbox";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RUNNER = loadRunner();
  private static volatile boolean warned;
  private final SandboxSettings settings;
  private final IsolationProbe.HostTools host;

  public PythonSandbox(SandboxSettings settings) {
    this(settings, IsolationProbe.host());
  }

  PythonSandbox(SandboxSettings settings, IsolationProbe.HostTools host) {
    this.settings = settings;
    this.host = host;
    if (!layers().contains(IsolationLayer.NETWORK_NAMESPACE)) {
      if (!settings.allowUnisolated()) {
        throw new SandboxUnavailableException("refusing to run untrusted code: no network namespace is available "
            + "(install bubblewrap: apt-get install bubblewrap, or allow util-linux unshare); set "
            + "kansoku.sandbox.allow-unisolated = true to run with only " + layers());
      }
      if (!warned) {
        warned = true;
        LOG.warn("running untrusted code WITHOUT a network namespace (kansoku.sandbox.allow-unisolated = true); layers: {}", layers());
      }
    }
  }

  /** The layers every run of this sandbox is under. */
  public Set<IsolationLayer> layers() {
    return host.layers();
  }

  public ExecutionResult run(String program) {
    long t0 = System.nanoTime();
    Path dir = null;
    Path output = null;
    try {
      Path base = Files.createDirectories(Path.of(settings.workDir()));
      dir = Files.createTempDirectory(base, "kansoku-sandbox-");
      output = Files.createTempFile(base, "kansoku-sandbox-output-", ".txt");
      Files.writeString(dir.resolve("program.py"), program, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("runner.py"), RUNNER, StandardCharsets.UTF_8);
      String resultName = "result-" + UUID.randomUUID() + ".json";
      if (host.dropsUser()) {
        Files.setAttribute(dir, "unix:uid", NOBODY);
        Files.setAttribute(dir, "unix:gid", NOBODY);
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      ProcessBuilder pb = new ProcessBuilder(command(dir, resultName))
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().clear();
      pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
      pb.environment().put("HOME", dir.toString());
      pb.environment().put("LANG", "C.UTF-8");
      Process p = pb.start();
      boolean finished = p.waitFor((long) (settings.wallTimeoutSeconds() * 1000), TimeUnit.MILLISECONDS);
      if (!finished) {
        killTree(p);
      }
      // forked children outlive their parent for a moment (or for good outside a PID namespace): every
      // process of this run carries the result file's random name in its arguments
      reapStragglers(resultName);
      String captured = readHead(output, settings.maxOutputKb() * 1024);
      long elapsed = (System.nanoTime() - t0) / 1_000_000;
      if (!finished) {
        return new ExecutionResult(ExecutionOutcome.TIMED_OUT, "wall-clock limit of " + settings.wallTimeoutSeconds() + " s",
            captured, -1, elapsed, layers());
      }
      return classify(dir.resolve(resultName), p.exitValue(), captured, elapsed);
    } catch (IOException e) {
      throw new UncheckedIOException("sandbox could not run: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running sandboxed code", e);
    } finally {
      deleteQuietly(dir);
      deleteQuietly(output);
    }
  }

  private ExecutionResult classify(Path resultFile, int exitCode, String output, long elapsed) throws IOException {
    String first = null;
    if (Files.isRegularFile(resultFile)) {
      try (Stream<String> lines = Files.lines(resultFile)) {
        first = lines.findFirst().orElse(null);
      } catch (java.io.UncheckedIOException e) {
        first = null;
      }
    }
    if (first == null) {
      boolean signalled = exitCode > 128 || exitCode < 0;
      return new ExecutionResult(signalled ? ExecutionOutcome.KILLED : ExecutionOutcome.ERROR,
          signalled ? "stopped by signal " + (exitCode - 128) + " (resource limit or kill)"
              : "exited with code " + exitCode + " before reporting a result",
          output, exitCode, elapsed, layers());
    }
    JsonNode r;
    try {
      r = JSON.readTree(first);
    } catch (IOException e) {
      return new ExecutionResult(ExecutionOutcome.ERROR, "unreadable result line", output, exitCode, elapsed, layers());
    }
    ExecutionOutcome outcome = switch (r.path("status").asText()) {
      case "passed" -> ExecutionOutcome.PASSED;
      case "failed" -> ExecutionOutcome.FAILED;
      case "timed out" -> ExecutionOutcome.TIMED_OUT;
      default -> ExecutionOutcome.ERROR;
    };
    return new ExecutionResult(outcome, r.path("detail").asText(), output, exitCode, elapsed, layers());
  }

  private List<String> command(Path dir, String resultName) {
    String limits = String.format("{\"address_space\": %d, \"cpu_seconds\": %d, \"file_size\": %d, \"open_files\": %d, \"processes\": %d}",
        settings.memoryMb() * 1024 * 1024, settings.cpuSeconds(), settings.maxFileMb() * 1024 * 1024,
        settings.maxOpenFiles(), host.dropsUser() ? settings.maxProcesses() : 0);
    // under bubblewrap the directory is mounted at a fixed path, so no host path is visible or needed
    Path inner = host.bwrap() ? Path.of(INNER_DIR) : dir;
    List<String> python = List.of(settings.python(), "-I", "-B", inner.resolve("runner.py").toString(),
        inner.resolve("program.py").toString(), inner.resolve(resultName).toString(),
        Double.toString(settings.timeoutSeconds()), limits);
    List<String> cmd = new ArrayList<>();
    if (host.bwrap()) {
      cmd.addAll(List.of("/usr/bin/bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
          "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/root", "--tmpfs", System.getProperty("user.home"),
          "--bind", dir.toString(), INNER_DIR, "--chdir", INNER_DIR,
          "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session",
          "--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", INNER_DIR,
          "--setenv", "LANG", "C.UTF-8", "--"));
    } else if (host.unshare()) {
      cmd.addAll(List.of("/usr/bin/unshare", "--net", "--pid", "--fork", "--kill-child", "--mount-proc", "--"));
    } else if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.addAll(List.of("/usr/bin/setsid", "--wait"));
    }
    if (host.dropsUser()) {
      cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--inh-caps=-all"));
    }
    cmd.addAll(python);
    return cmd;
  }

  private static void killTree(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills every process whose command line carries {@code marker}, until none is left (at most 5 s). */
  private static void reapStragglers(String marker) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      List<ProcessHandle> left = ProcessHandle.allProcesses()
          .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
          .toList();
      if (left.isEmpty() || System.nanoTime() > deadline) {
        if (!left.isEmpty()) {
          LOG.warn("{} sandbox process(es) could not be killed: {}", left.size(), left);
        }
        return;
      }
      left.forEach(ProcessHandle::destroyForcibly);
      Thread.sleep(20);
    }
  }

  private static String readHead(Path file, int maxBytes) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(maxBytes);
      long rest = Files.size(file) - head.length;
      String text = new String(head, StandardCharsets.UTF_8);
      return rest > 0 ? text + "\n[... " + rest + " more bytes not kept]" : text;
    }
  }

  private static void deleteQuietly(Path p) {
    if (p == null || !Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    } catch (IOException e) {
      LOG.warn("could not delete sandbox path {}: {}", p, e.getMessage());
    }
  }

  private static String loadRunner() {
    try (InputStream in = PythonSandbox.class.getResourceAsStream("/sandbox/runner.py")) {
      if (in == null) {
        throw new IllegalStateException("sandbox/runner.py is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

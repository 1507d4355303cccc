package dev.kansoku.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Which isolation tools work on this host, probed once per JVM by running them: bubblewrap (network, PID
 * and mount namespaces, read-only root), util-linux {@code unshare} (network and PID namespaces) and
 * {@code setpriv} (dropping to the unprivileged user when running as root).
 */
public final class IsolationProbe {
  /** What the host offers. */
  public record HostTools(boolean bwrap, boolean unshare, boolean setpriv, boolean root) {
    public Set<IsolationLayer> layers() {
      Set<IsolationLayer> l = EnumSet.of(IsolationLayer.TEMP_DIRECTORY, IsolationLayer.CLEAN_ENVIRONMENT,
          IsolationLayer.RESOURCE_LIMITS, IsolationLayer.PROCESS_GROUP);
      if (bwrap) {
        l.addAll(List.of(IsolationLayer.NETWORK_NAMESPACE, IsolationLayer.PID_NAMESPACE, IsolationLayer.READ_ONLY_FILESYSTEM));
      } else if (unshare) {
        l.addAll(List.of(IsolationLayer.NETWORK_NAMESPACE, IsolationLayer.PID_NAMESPACE));
      }
      if (!root || setpriv) {
        l.add(IsolationLayer.UNPRIVILEGED_USER);
      }
      return l;
    }

    /** Whether the user id is dropped to nobody (only possible, and only needed, as root). */
    public boolean dropsUser() {
      return root && setpriv;
    }
  }

  private static HostTools cached;

  private IsolationProbe() {}

  public static synchronized HostTools host() {
    if (cached == null) {
      boolean root = isRoot();
      cached = new HostTools(
          works("/usr/bin/bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net",
              "--unshare-pid", "--die-with-parent", "--", "/bin/true"),
          works("/usr/bin/unshare", "--net", "--pid", "--fork", "--kill-child", "--", "/bin/true"),
          Files.isExecutable(Path.of("/usr/bin/setpriv")),
          root);
    }
    return cached;
  }

  private static boolean works(String... command) {
    if (!Files.isExecutable(Path.of(command[0]))) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[1].equals("0");
        }
      }
    } catch (IOException e) {
      // not Linux: assume unprivileged
    }
    return false;
  }
}

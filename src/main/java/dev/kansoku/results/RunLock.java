package dev.kansoku.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One evaluate run at a time per results directory: {@code <results-dir>/_run.lock} is created exclusively
 * when a run starts and deleted when it ends. Two drivers on one directory would compute the same missing
 * requests twice and race on the score tables.
 *
 * <p>A driver that dies (SIGKILL, lost node) cannot delete its lock, so the lock is a lease: the holder touches
 * it every {@link #HEARTBEAT_SECONDS}; a lock not touched for {@link #STALE_AFTER_SECONDS}, or held by a process
 * of this host that no longer exists, is stale and taken over (with a log line naming the dead run).
 */
public final class RunLock implements AutoCloseable {
  static final String FILE = "_run.lock";
  static final long HEARTBEAT_SECONDS = 20;
  static final long STALE_AFTER_SECONDS = 120;
  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FileSystem fs;
  private final Path file;
  private final ScheduledExecutorService heartbeat;

  private RunLock(FileSystem fs, Path file) {
    this.fs = fs;
    this.file = file;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kansoku-run-lock-heartbeat");
      t.setDaemon(true);
      return t;
    });
    heartbeat.scheduleAtFixedRate(this::touch, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
  }

  /** Takes the lock of {@code resultsDir} for {@code runId}, or fails naming the run that holds it. */
  public static RunLock acquire(Configuration conf, String resultsDir, String runId) throws IOException {
    Path file = new Path(resultsDir, FILE);
    FileSystem fs = file.getFileSystem(conf);
    try {
      fs.mkdirs(file.getParent());
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException | org.apache.hadoop.fs.ParentNotDirectoryException e) {
      throw new ResultsDirectoryException(resultsDir, "a file is in the way (" + e.getMessage() + "); name a directory");
    } catch (java.nio.file.AccessDeniedException e) {
      throw new ResultsDirectoryException(resultsDir, "cannot be created (permission denied)");
    }
    if (fs.exists(file.getParent()) && !fs.getFileStatus(file.getParent()).isDirectory()) {
      throw new ResultsDirectoryException(resultsDir, "is a file, not a directory");
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      try (OutputStream out = create(fs, file, resultsDir)) {
        out.write(JSON.createObjectNode().put("run_id", runId).put("host", host()).put("pid", ProcessHandle.current().pid())
            .put("started_at", Instant.now().toString()).toPrettyString().getBytes(StandardCharsets.UTF_8));
        return new RunLock(fs, file);
      } catch (FileAlreadyExistsException e) {
        String holder = staleHolder(fs, file);
        if (holder == null) {
          throw new RunLockedException(file, describe(read(fs, file)));
        }
        LOG.warn("taking over the stale lock {} of {}", file, holder);
        fs.delete(file, false);
      }
    }
    throw new RunLockedException(file, describe(read(fs, file)));
  }

  /** The lock file, created only if absent; a directory that cannot be written is a user error. */
  private static OutputStream create(FileSystem fs, Path file, String resultsDir) throws IOException {
    try {
      return fs.create(file, false);
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (java.nio.file.AccessDeniedException | org.apache.hadoop.security.AccessControlException e) {
      throw new ResultsDirectoryException(resultsDir, "not writable (" + file + ": permission denied)");
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("Permission denied") || m.contains("Mkdirs failed") || m.contains("Read-only file system")) {
        throw new ResultsDirectoryException(resultsDir, "not writable (" + e.getMessage() + ")");
      }
      throw e;
    }
  }

  /** The holder's description when the lock is stale; null when it is live. */
  private static String staleHolder(FileSystem fs, Path file) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(file);
    } catch (java.io.FileNotFoundException gone) {
      return "a run that just finished";
    }
    JsonNode lock = read(fs, file);
    String holder = describe(lock);
    long ageSeconds = (System.currentTimeMillis() - status.getModificationTime()) / 1000;
    if (ageSeconds > STALE_AFTER_SECONDS) {
      return holder + " (not touched for " + ageSeconds + " s)";
    }
    if (lock != null && host().equals(lock.path("host").asText()) && lock.has("pid")
        && ProcessHandle.of(lock.get("pid").asLong()).map(p -> !p.isAlive()).orElse(true)) {
      return holder + " (its process is gone)";
    }
    if (lock == null && ageSeconds > HEARTBEAT_SECONDS) {
      // an empty or unreadable lock: its writer died between create and write
      return "an unreadable lock";
    }
    return null;
  }

  private static String describe(JsonNode lock) {
    if (lock == null) {
      return "an unknown run";
    }
    return "run " + lock.path("run_id").asText("?") + " (host " + lock.path("host").asText("?") + ", pid "
        + lock.path("pid").asText("?") + ", started " + lock.path("started_at").asText("?") + ")";
  }

  private static JsonNode read(FileSystem fs, Path file) {
    try (InputStream in = fs.open(file)) {
      byte[] bytes = in.readAllBytes();
      return bytes.length == 0 ? null : JSON.readTree(bytes);
    } catch (IOException e) {
      return null;
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  private void touch() {
    try {
      fs.setTimes(file, System.currentTimeMillis(), -1);
    } catch (IOException e) {
      LOG.warn("could not touch the run lock {}: {}", file, e.getMessage());
    }
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    try {
      fs.delete(file, false);
    } catch (IOException e) {
      LOG.warn("could not delete the run lock {}: {}", file, e.getMessage());
    }
  }
}

package dev.kansoku.results;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
  private final Configuration conf = new Configuration();

  @Test
  void aSecondRunOnTheSameResultsIsRefusedNamingTheFirst(@TempDir Path results) throws Exception {
    try (RunLock first = RunLock.acquire(conf, results.toString(), "run-1")) {
      RunLockedException e = assertThrows(RunLockedException.class, () -> RunLock.acquire(conf, results.toString(), "run-2"));
      assertTrue(e.getMessage().contains("run run-1"), e.getMessage());
      assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
      assertTrue(e.getMessage().contains(RunLock.FILE), e.getMessage());
    }
    assertFalse(Files.exists(results.resolve(RunLock.FILE)), "released on close");
    RunLock.acquire(conf, results.toString(), "run-3").close();
  }

  @Test
  void theLockOfADeadDriverIsTakenOver(@TempDir Path results) throws Exception {
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    String host = java.net.InetAddress.getLocalHost().getHostName();
    Files.writeString(results.resolve(RunLock.FILE),
        "{\"run_id\":\"killed\",\"host\":\"" + host + "\",\"pid\":" + dead.pid() + ",\"started_at\":\"2026-01-01T00:00:00Z\"}");
    RunLock.acquire(conf, results.toString(), "after-kill").close();
  }

  @Test
  void aLockNotTouchedForLongIsStaleEvenFromAnotherHost(@TempDir Path results) throws Exception {
    Path lock = results.resolve(RunLock.FILE);
    Files.writeString(lock, "{\"run_id\":\"elsewhere\",\"host\":\"node-17\",\"pid\":1,\"started_at\":\"2026-01-01T00:00:00Z\"}");
    // a live lock of another host is respected...
    assertThrows(RunLockedException.class, () -> RunLock.acquire(conf, results.toString(), "x"));
    // ...until its holder stops touching it
    Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minusSeconds(RunLock.STALE_AFTER_SECONDS + 60)));
    RunLock.acquire(conf, results.toString(), "y").close();
  }
}

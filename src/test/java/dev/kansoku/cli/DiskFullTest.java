package dev.kansoku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import static dev.kansoku.cli.CliRuns.run;

import dev.kansoku.TestPaths;
import dev.kansoku.cli.CliRuns.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A results directory on a small file system that fills up during a run: the run fails with one line, what was
 * committed before is intact, and with space again the next run computes only what is missing. The file system
 * is a size-limited tmpfs, which needs root (mount); elsewhere the test is skipped, saying why.
 */
class DiskFullTest {
  @TempDir
  static Path tmp;
  private static Path small;
  private static boolean mounted;

  @BeforeAll
  static void mount() throws Exception {
    small = tmp.resolve("small");
    Files.createDirectories(small);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", small.toString()).redirectErrorStream(true).start();
    mounted = p.waitFor() == 0;
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mounted) {
      new ProcessBuilder("umount", "-l", small.toString()).start().waitFor();
    }
  }

  /** The responses table's files: what a run has committed. */
  private static Map<String, String> responses(Path results) throws Exception {
    Map<String, String> all = CliRuns.snapshot(results);
    all.keySet().removeIf(f -> !f.startsWith("responses/"));
    return all;
  }

  @Test
  void aFullDiskFailsInOneLineKeepsWhatWasCommittedAndTheNextRunResumes() throws Exception {
    assumeTrue(mounted, "a size-limited tmpfs cannot be mounted here (needs root and mount rights)");
    Path conf = TestPaths.repoCopy(tmp);
    Files.writeString(conf.resolve("suites/disk.conf"), "suite { id = \"disk\", tasks = [\"xwino_en\", \"openbookqa\"], "
        + "limits { xwino_en = 4, openbookqa = 4 } }");
    Path results = small.resolve("results");
    String[] args = {"evaluate", "--conf-dir", conf.toString(), "--suite", "disk", "--results", results.toString(),
        "-Dkansoku.spark.master=local[2]", "-Dkansoku.spark.settings={\"spark.ui.enabled\" = \"false\"}"};
    Run good = run(concat(args, "-Dkansoku.limit=2"));
    assertEquals(0, good.code(), good.err() + good.out());
    Map<String, String> committed = responses(results);
    assertTrue(!committed.isEmpty());

    // fill the file system but for 16 KB: the run gets as far as that room lets it, then the disk is full
    Path ballast = small.resolve("ballast");
    try (var out = Files.newOutputStream(ballast)) {
      byte[] block = new byte[1 << 16];
      while (true) {
        try {
          out.write(block);
        } catch (java.io.IOException full) {
          break;
        }
      }
    }
    try (var channel = java.nio.channels.FileChannel.open(ballast, java.nio.file.StandardOpenOption.WRITE)) {
      channel.truncate(Math.max(0, channel.size() - (16 << 10)));
    }
    Run full = run(args);
    assertEquals(2, full.code(), full.err() + full.out());
    assertEquals(1, full.err().lines().count(), full.err());
    assertTrue(full.err().startsWith("error: no space left on the device of the results directory"), full.err());
    Map<String, String> after = responses(results);
    assertTrue(after.entrySet().containsAll(committed.entrySet()), "every committed response file is intact");

    Files.delete(ballast);
    Run resumed = run(args);
    assertEquals(0, resumed.code(), resumed.err() + resumed.out());
    // 4 + 4 examples planned: XWINO 2 requests each, OpenBookQA 4; the first run answered 2 + 2 examples
    assertTrue(resumed.out().contains("requests: planned 24, reused 12, computed 12,"), resumed.out());
  }

  private static String[] concat(String[] first, String last) {
    String[] all = java.util.Arrays.copyOf(first, first.length + 1);
    all[first.length] = last;
    return all;
  }

  @Test
  void aReadOnlyResultsDirectoryIsOneLine() throws Exception {
    Path readOnly = tmp.resolve("read-only");
    Files.createDirectories(readOnly);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", readOnly.toString()).redirectErrorStream(true).start();
    assumeTrue(p.waitFor() == 0, "a read-only tmpfs cannot be mounted here (needs root and mount rights)");
    try {
      Path conf = TestPaths.repoCopy(tmp.resolve("ro-repo"));
      Run r = run("evaluate", "--conf-dir", conf.toString(), "--results", readOnly.toString(), "-Dkansoku.limit=1",
          "-Dkansoku.spark.master=local[2]", "-Dkansoku.spark.settings={\"spark.ui.enabled\" = \"false\"}");
      assertEquals(2, r.code(), r.err() + r.out());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().startsWith("error: kansoku.results-dir " + readOnly + ": not writable"), r.err());
    } finally {
      new ProcessBuilder("umount", "-l", readOnly.toString()).start().waitFor();
    }
  }
}

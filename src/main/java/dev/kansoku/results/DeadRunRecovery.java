package dev.kansoku.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs that died left in a results directory, cleaned up by the next run once it holds the directory's lock
 * (so no other run is alive): a {@code progress.json} still saying {@code running} is marked {@code interrupted}
 * (its counts kept, for whoever polls it), and the staging directories of other runs are removed — their responses
 * were never read and are computed again, their plans and table copies are superseded by this run's.
 */
public final class DeadRunRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(DeadRunRecovery.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long STALE_TABLE_STAGING_MILLIS = 3_600_000L;

  private DeadRunRecovery() {}

  /** Returns what was done, one line per action (also logged). */
  public static List<String> recover(Configuration conf, String resultsDir, String runId) throws IOException {
    List<String> done = new ArrayList<>();
    Path root = new Path(resultsDir);
    FileSystem fs = root.getFileSystem(conf);
    Path progress = new Path(root, "progress.json");
    if (fs.exists(progress)) {
      ObjectNode p;
      try (InputStream in = fs.open(progress)) {
        p = (ObjectNode) JSON.readTree(in);
      } catch (IOException | ClassCastException e) {
        p = null;
      }
      if (p != null && "running".equals(p.path("state").asText()) && !runId.equals(p.path("run_id").asText())) {
        p.put("state", "interrupted");
        p.put("computing", 0);
        p.putNull("eta_seconds");
        p.put("interrupted_detected_at", Instant.now().toString());
        p.put("interrupted_detected_by", runId);
        Path tmp = new Path(root, ".progress.json." + runId + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
          out.write(p.toPrettyString().getBytes(StandardCharsets.UTF_8));
        }
        fs.delete(progress, false);
        fs.rename(tmp, progress);
        done.add("run " + p.path("run_id").asText() + " died while running: progress.json marked interrupted ("
            + p.path("computed").asLong() + " requests it had committed are kept)");
      }
    }
    Path staging = new Path(root, "_staging");
    if (fs.exists(staging)) {
      for (FileStatus s : fs.listStatus(staging)) {
        String name = s.getPath().getName();
        // plans and staged responses belong to evaluate runs, which the lock serialises; a table's staging copy may
        // also be an analysis run's (not locked), so only an hour-old one counts as left behind
        boolean evaluateRun = name.startsWith("plan-") || name.startsWith("responses-");
        boolean old = System.currentTimeMillis() - s.getModificationTime() > STALE_TABLE_STAGING_MILLIS;
        if (!name.contains(runId) && (evaluateRun || old)) {
          fs.delete(s.getPath(), true);
          done.add("removed " + s.getPath() + ", left by a run that died (never read; its work is committed or computed again)");
        }
      }
    }
    done.forEach(LOG::warn);
    return done;
  }
}

package dev.kansoku.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run that takes over a dead run's directory marks it interrupted and removes what it left in staging. */
class DeadRunRecoveryTest {
  @Test
  void aDeadRunIsMarkedInterruptedAndItsStagingRemoved(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("progress.json"), "{\"run_id\": \"20261129T100000Z-dead\", \"state\": \"running\", \"computed\": 31, "
        + "\"computing\": 7, \"chunks_committed\": 1, \"chunks_total\": 3}");
    Files.createDirectories(dir.resolve("_staging/plan-20261129T100000Z-dead"));
    Files.writeString(dir.resolve("_staging/plan-20261129T100000Z-dead/xwino_en.parquet"), "x");
    Files.createDirectories(dir.resolve("_staging/responses-20261129T100000Z-dead-2"));
    Files.createDirectories(dir.resolve("_staging/plan-20261129T110000Z-live"));
    // a table copy of a run that may still be going (an analysis run takes no lock): fresh, so it stays
    Files.createDirectories(dir.resolve("_staging/task_scores-20261129T105500Z-analysis"));

    List<String> done = DeadRunRecovery.recover(new Configuration(), dir.toString(), "20261129T110000Z-live");

    assertEquals(3, done.size(), done.toString());
    JsonNode p = new ObjectMapper().readTree(dir.resolve("progress.json").toFile());
    assertEquals("interrupted", p.get("state").asText());
    assertEquals(31, p.get("computed").asInt(), "the dead run's committed count is kept");
    assertEquals(0, p.get("computing").asInt(), "its uncommitted work is gone");
    assertEquals("20261129T110000Z-live", p.get("interrupted_detected_by").asText());
    assertFalse(Files.exists(dir.resolve("_staging/plan-20261129T100000Z-dead")));
    assertFalse(Files.exists(dir.resolve("_staging/responses-20261129T100000Z-dead-2")));
    assertTrue(Files.exists(dir.resolve("_staging/plan-20261129T110000Z-live")), "this run's own staging stays");
    assertTrue(Files.exists(dir.resolve("_staging/task_scores-20261129T105500Z-analysis")), "a fresh table copy stays");

    // a finished run's progress.json is left as it is
    Files.writeString(dir.resolve("progress.json"), "{\"run_id\": \"x\", \"state\": \"finished\"}");
    assertTrue(DeadRunRecovery.recover(new Configuration(), dir.toString(), "20261129T110000Z-live").isEmpty());
  }
}

package dev.kansoku.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.RandomCheckpoint;
import ai.djl.engine.EngineException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real engine behind a device-memory cap: a batch over the cap fails with PyTorch's CUDA out-of-memory
 * message (no GPU here, so the cap stands in for one), and the back-off halves it until it fits.
 */
class BatchBackoffTest {
  @Test
  void outOfMemoryHalvesTheRowsAndLosesNothing() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    List<LoglikelihoodRequest> batch = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      batch.add(new LoglikelihoodRequest("問題 " + i + ": 日本の首都は?", " 東京", false));
    }
    List<Integer> attempted = new ArrayList<>();
    try (DjlEngine engine = DjlEngine.load(TestPaths.TINY_MODEL, 2048)) {
      // what the back-off must give: the same requests in passes of 2 rows, bit for bit
      List<Double> expected = engine.loglikelihood(batch, BatchShapes.canonical(2, 2048)).stream().map(r -> r.logLikelihood()).toList();
      List<Double> got = BatchBackoff.run(batch, BatchShapes.canonical(8, 8192), (b, shapes) -> {
        attempted.add(shapes.maxRows());
        if (shapes.maxRows() > 2) {
          throw new EngineException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 139.8 GiB total capacity)");
        }
        return engine.loglikelihood(b, shapes).stream().map(r -> r.logLikelihood()).toList();
      }, (r, e) -> Double.NaN);
      assertEquals(List.of(8, 4, 2), attempted, "rows halved until the passes fit");
      assertEquals(expected, got, "every request answered, with the bits of the 2-row shape");
    }
  }

  @Test
  void outOfMemoryAtOneRowFailsOnlyThoseRequests() {
    List<String> out = BatchBackoff.run(List.of("a", "b"), BatchShapes.canonical(2, 0), (b, shapes) -> {
      throw new EngineException("CUDA out of memory. Tried to allocate 2.00 GiB");
    }, (r, e) -> r + ":failed");
    assertEquals(List.of("a:failed", "b:failed"), out);
  }

  @Test
  void otherFailuresCostOnlyTheBadRequest() {
    List<String> batch = List.of("ok", "bad", "ok2");
    List<String> out = BatchBackoff.run(batch, BatchShapes.DEFAULT, (b, shapes) -> {
      if (b.contains("bad")) {
        throw new IllegalArgumentException("the continuation encodes to no tokens");
      }
      return b.stream().map(s -> s + ":done").toList();
    }, (r, e) -> r + ":failed");
    assertEquals(List.of("ok:done", "bad:failed", "ok2:done"), out);
  }

  @Test
  void recognisesPyTorchOutOfMemoryMessages() {
    assertTrue(BatchBackoff.isOutOfMemory(new EngineException("CUDA out of memory. Tried to allocate 20.00 MiB")));
    assertTrue(BatchBackoff.isOutOfMemory(new RuntimeException("wrapped",
        new EngineException("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory: you tried to allocate 68719476736 bytes"))));
    assertTrue(BatchBackoff.isOutOfMemory(new EngineException(
        "[enforce fail at alloc_cpu.cpp:114] data. DefaultCPUAllocator: not enough memory: you tried to allocate 68719476736 bytes.")));
    assertFalse(BatchBackoff.isOutOfMemory(new IllegalArgumentException("shape mismatch")));
  }
}

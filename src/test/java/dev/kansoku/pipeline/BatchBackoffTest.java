package dev.kansoku.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import dev.kansoku.TestPaths;
import dev.kansoku.inference.LlamaEngine;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.TinyLlamaFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real engine behind a device-memory cap: a batch over the cap fails with PyTorch's CUDA out-of-memory
 * message (no GPU here, so the cap stands in for one), and the back-off halves it until it fits.
 */
class BatchBackoffTest {
  @Test
  void outOfMemoryHalvesTheBatchAndLosesNothing() throws Exception {
    TinyLlamaFactory.ensureWeights(TestPaths.TINY_MODEL);
    List<LoglikelihoodRequest> batch = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      batch.add(new LoglikelihoodRequest("問題 " + i + ": 日本の首都は?", " 東京", false));
    }
    List<Integer> attempted = new ArrayList<>();
    try (LlamaEngine engine = LlamaEngine.load(TestPaths.TINY_MODEL, 2048)) {
      List<Double> expected = engine.loglikelihood(batch).stream().map(r -> r.logLikelihood()).toList();
      List<Double> got = BatchBackoff.run(batch, b -> {
        attempted.add(b.size());
        if (b.size() > 2) {
          throw new EngineException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 139.8 GiB total capacity)");
        }
        return engine.loglikelihood(b).stream().map(r -> r.logLikelihood()).toList();
      }, (r, e) -> Double.NaN);
      assertEquals(List.of(8, 4, 2, 2, 4, 2, 2), attempted, "halved, in order");
      assertEquals(expected.size(), got.size());
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.get(i), got.get(i), 1e-4, "request " + i);
      }
    }
  }

  @Test
  void otherFailuresCostOnlyTheBadRequest() {
    List<String> batch = List.of("ok", "bad", "ok2");
    List<String> out = BatchBackoff.run(batch, b -> {
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

package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ModelSpec;
import ai.djl.Device;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelPoolTest {
  /** A pool of this test's own (the executor side owns the shared one). */
  private static final ModelPool POOL = new ModelPool();

  private static ModelSpec spec(String id) {
    return new ModelSpec(id, id, "r1", TestPaths.TINY_MODEL.toString(), ModelSpec.FORMAT_HF_LLAMA, "fp32", 2048, true,
        null, null, null, null, null, "synthetic", null, "test");
  }

  @AfterEach
  void evict() {
    POOL.evict();
  }

  @Test
  void slotsShareTheLoadedModelAndAnotherModelWaitsForThemToFinish() throws Exception {
    ModelSpec a = spec("pool-a");
    ModelSpec b = spec("pool-b");
    long loads = POOL.loads();
    ModelPool.Lease first = POOL.lease(a, 128, 0, Device.cpu());
    // a second task slot on the same model gets it at once, without a load
    ModelPool.Lease second = CompletableFuture.supplyAsync(() -> POOL.lease(a, 128, 0, Device.cpu())).get(30, TimeUnit.SECONDS);
    assertSame(first.model(), second.model());
    assertEquals(loads + 1, POOL.loads());

    CompletableFuture<ModelPool.Lease> other = CompletableFuture.supplyAsync(() -> POOL.lease(b, 128, 0, Device.cpu()));
    assertWaits(other);
    // while b waits, a's work goes on: leases on the loaded model are still granted
    ModelPool.Lease third = CompletableFuture.supplyAsync(() -> POOL.lease(a, 128, 0, Device.cpu())).get(30, TimeUnit.SECONDS);
    first.close();
    second.close();
    assertWaits(other);
    third.close();
    // a lease closed from another thread counts (Spark's completion listener may run anywhere)
    ModelPool.Lease onB = other.get(60, TimeUnit.SECONDS);
    assertTrue(onB.serves(b, 128, java.util.List.of(Device.cpu())));
    assertFalse(onB.serves(a, 128, java.util.List.of(Device.cpu())));
    assertEquals(loads + 2, POOL.loads());
    first.close(); // closing twice changes nothing
    onB.close();
  }

  @Test
  void parallelLeasesComputeTheSameScoresAsOneCaller() throws Exception {
    ModelSpec a = spec("pool-parallel");
    LoglikelihoodRequest r = new LoglikelihoodRequest("東京は日本の", "首都です。", false);
    double alone;
    try (ModelPool.Lease lease = POOL.lease(a, 128, 0, Device.cpu())) {
      alone = lease.model().loglikelihood(java.util.List.of(r)).get(0).logLikelihood();
    }
    var futures = new java.util.ArrayList<CompletableFuture<Double>>();
    for (int t = 0; t < 4; t++) {
      futures.add(CompletableFuture.supplyAsync(() -> {
        try (ModelPool.Lease lease = POOL.lease(a, 128, 0, Device.cpu())) {
          double last = 0;
          for (int i = 0; i < 10; i++) {
            last = lease.model().loglikelihood(java.util.List.of(r, r)).get(1).logLikelihood();
          }
          return last;
        }
      }));
    }
    for (CompletableFuture<Double> f : futures) {
      assertEquals(alone, f.get(120, TimeUnit.SECONDS), 1e-4);
    }
  }

  private static void assertWaits(CompletableFuture<?> f) throws Exception {
    try {
      f.get(500, TimeUnit.MILLISECONDS);
      throw new AssertionError("a lease for another model was granted while the loaded one was in use");
    } catch (TimeoutException expected) {
      // still waiting
    }
  }
}

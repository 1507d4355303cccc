package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.bench.PeakMemory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Thousands of requests through one engine: native memory (the process's resident set) stays flat once the
 * allocator has warmed up, because every batch frees its arrays when its NDScope closes. A leaked logits array
 * per batch (8 rows × 48,586 floats) would add about 1.5 MB per batch, over 500 MB here.
 */
class NativeMemoryTest {
  @Test
  void residentMemoryStaysFlatOverThousandsOfRequests() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    try (DjlEngine engine = DjlEngine.load(TestPaths.TINY_MODEL, 2048)) {
      runBatches(engine, 60);
      System.gc();
      long before = PeakMemory.currentResidentMb();
      runBatches(engine, 400);
      System.gc();
      long after = PeakMemory.currentResidentMb();
      System.out.printf("resident memory after warm-up %d MB, after 3,200 more requests %d MB%n", before, after);
      assertTrue(before > 0, "no /proc/self/status");
      assertTrue(after - before < 64, "resident memory grew from " + before + " MB to " + after + " MB");
    }
  }

  /** Each batch: 8 log-likelihood requests (4 choices × 2 questions, so prefix reuse too); every 20th, a generation batch. */
  private static void runBatches(DjlEngine engine, int batches) {
    for (int b = 0; b < batches; b++) {
      List<LoglikelihoodRequest> batch = new ArrayList<>();
      for (int q = 0; q < 2; q++) {
        for (String choice : List.of(" 東京", " 大阪", " 京都", " 札幌")) {
          batch.add(new LoglikelihoodRequest("質問 " + b + "-" + q + ": 日本の首都は?" + "。".repeat(b % 7) + "\n答え:", choice, false));
        }
      }
      engine.loglikelihood(batch);
      if (b % 20 == 0) {
        engine.generate(List.of(new GenerationRequest("日本の首都は" + b, List.of("\n"), 16, false),
            new GenerationRequest("The capital of Japan is", List.of(), 12, false)));
      }
    }
  }
}

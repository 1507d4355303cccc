package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {
  private static final float[] LOGITS = {0f, (float) Math.log(2), (float) Math.log(4), -50f};

  private static GenerationRequest sampling(double t, double topP, int topK) {
    return new GenerationRequest("", List.of(), 1, false, t, topP, topK, 1L);
  }

  private static int[] histogram(GenerationRequest r, int draws) {
    SplittableRandom rnd = new SplittableRandom(42);
    int[] h = new int[LOGITS.length];
    for (int i = 0; i < draws; i++) {
      h[(int) TokenSampler.next(LOGITS, 0, LOGITS.length, r, rnd)]++;
    }
    return h;
  }

  @Test
  void greedyIsTheFirstArgmax() {
    float[] tie = {1f, 3f, 3f};
    assertEquals(1, TokenSampler.next(tie, 0, 3, new GenerationRequest("", List.of(), 1, false), new SplittableRandom(1)));
  }

  @Test
  void topPKeepsTheSmallestMostLikelySet() {
    // probabilities 1/7, 2/7, 4/7, ~0: top-p 0.5 keeps {2}; 0.8 keeps {2, 1}
    int[] half = histogram(sampling(1.0, 0.5, 0), 2000);
    assertEquals(2000, half[2]);
    int[] eighty = histogram(sampling(1.0, 0.8, 0), 6000);
    assertEquals(0, eighty[0] + eighty[3]);
    assertEquals(2.0, (double) eighty[2] / eighty[1], 0.25, "kept tokens keep their relative odds");
  }

  @Test
  void topKAndTemperature() {
    int[] k2 = histogram(sampling(1.0, 1.0, 2), 3000);
    assertEquals(0, k2[0] + k2[3]);
    int[] all = histogram(sampling(1.0, 1.0, 0), 7000);
    assertEquals(1.0 / 7, all[0] / 7000.0, 0.02);
    int[] cold = histogram(sampling(0.05, 1.0, 0), 1000);
    assertTrue(cold[2] > 990, "a low temperature is almost greedy");
  }
}

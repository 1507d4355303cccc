package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT2LMHeadModel through the engine, near its 64 learned positions (gpt2-variant): the canonical continuation pass
 * pads a long context's continuation to 32 columns numbered past n_positions − 1, which must not reach wpe (clamped
 * padding) nor change a score; generation up to the last position, with the cache and without, gives the same tokens.
 */
class Gpt2EngineTest {
  @TempDir
  Path tmp;

  @Test
  void scoresAndGeneratesUpToTheLastLearnedPosition() throws Exception {
    Path dir = TestCheckpoints.write(tmp.resolve("gpt2"), "gpt2-variant", 29L);
    try (DjlEngine engine = DjlEngine.load(dir, 2048)) {
      assertEquals(64, engine.maxLength(), "n_positions bounds the length");
      StringBuilder text = new StringBuilder();
      while (engine.tokenizer().encode(text + " 東京", false).length < 55) {
        text.append(" the capital of Japan is");
      }
      String context = text.toString();
      List<LoglikelihoodRequest> batch = new ArrayList<>();
      for (String choice : List.of(" 東京です", " 大阪", " 京都の町")) {
        batch.add(new LoglikelihoodRequest(context, choice, false));
      }
      batch.add(new LoglikelihoodRequest("Short:", " a longer ending of several tokens", false));
      List<LoglikelihoodResult> canonical = engine.withPrefixReuse(true).loglikelihood(batch, BatchShapes.DEFAULT);
      List<LoglikelihoodResult> single = engine.withPrefixReuse(false).loglikelihood(batch, BatchShapes.asGiven());
      for (int i = 0; i < batch.size(); i++) {
        assertFalse(single.get(i).truncated(), "request " + i + " fits the 64 positions");
        assertEquals(single.get(i).logLikelihood(), canonical.get(i).logLikelihood(), 1e-4, "request " + i);
        assertEquals(single.get(i).greedy(), canonical.get(i).greedy(), "request " + i);
      }
      assertTrue(Math.abs(single.get(0).logLikelihood() - single.get(1).logLikelihood()) > 0.01, "choices differ");

      GenerationRequest g = new GenerationRequest(context, List.of(), 12, false);
      GenerationResult cached = engine.withKvCache(true).generate(List.of(g)).get(0);
      GenerationResult recomputed = engine.withKvCache(false).generate(List.of(g)).get(0);
      assertEquals(52, cached.promptIds().length, "the prompt is cut to leave room for 12 tokens");
      assertTrue(cached.truncated());
      assertArrayEquals(recomputed.generatedIds(), cached.generatedIds());
    }
  }
}

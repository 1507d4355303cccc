package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kansoku.TestPaths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Per-position scores of whole sequences (what a served completion with echo and logprobs returns) give, summed over a
 * continuation in order, the very bits of the engine's own log-likelihood along the whole-input path, and its
 * is_greedy; this is what makes a served score equal an offline one.
 */
class PromptScoresTest {
  private static final List<LoglikelihoodRequest> REQUESTS = List.of(
      new LoglikelihoodRequest("Question: What is the capital of Japan?\nAnswer:", " Tokyo", false),
      new LoglikelihoodRequest("質問：日本の首都はどこですか？\n答え：", "東京", false),
      new LoglikelihoodRequest("吾輩は猫である。名前はまだ無い。", "どこで生れたかとんと見当がつかぬ。", false),
      new LoglikelihoodRequest("The quick brown fox jumps over the lazy dog. ".repeat(12), "The end.", false),
      new LoglikelihoodRequest("a", " b", false));

  @Test
  void continuationEntriesSumToTheOfflineBits() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    try (DjlEngine engine = DjlEngine.load(TestPaths.TINY_MODEL, 2048)) {
      for (BatchShapes shapes : List.of(BatchShapes.DEFAULT, BatchShapes.canonical(3, 512))) {
        List<LoglikelihoodResult> offline = engine.withPrefixReuse(false).loglikelihood(REQUESTS, shapes);
        List<long[]> sequences = new ArrayList<>();
        for (LoglikelihoodRequest r : REQUESTS) {
          long[][] pair = engine.encodePair(r);
          sequences.add(TokenIds.concat(pair[0], pair[1]));
        }
        List<PromptScores> served = engine.scorePrompts(sequences, shapes);
        for (int i = 0; i < REQUESTS.size(); i++) {
          PromptScores s = served.get(i);
          long[] ids = sequences.get(i);
          int contextLength = offline.get(i).contextIds().length;
          assertEquals(ids.length - 1, s.length());
          // the harness' sum(token_logprobs[ctxlen:]) over the echoed entries (position 0 has none)
          double sum = 0;
          boolean greedy = true;
          for (int p = contextLength; p < ids.length; p++) {
            sum += s.logProbs()[p - 1];
            greedy &= s.logProbs()[p - 1] == s.maxLogProbs()[p - 1];
            if (s.argmax()[p - 1] == ids[p]) {
              assertEquals(s.maxLogProbs()[p - 1], s.logProbs()[p - 1], "the argmax's own log-probability");
            }
          }
          assertEquals(Double.doubleToLongBits(offline.get(i).logLikelihood()), Double.doubleToLongBits(sum),
              shapes + " request " + i + ": " + offline.get(i).logLikelihood() + " vs " + sum);
          assertEquals(offline.get(i).greedy(), greedy, "is_greedy of request " + i);
        }
      }
    }
  }

  @Test
  void aSequenceTooShortOrTooLongIsRefused() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    try (DjlEngine engine = DjlEngine.load(TestPaths.TINY_MODEL, 64)) {
      assertThrows(IllegalArgumentException.class, () -> engine.scorePrompts(List.of(new long[] {5}), BatchShapes.DEFAULT));
      assertThrows(IllegalArgumentException.class, () -> engine.scorePrompts(List.of(new long[66]), BatchShapes.DEFAULT));
    }
  }
}

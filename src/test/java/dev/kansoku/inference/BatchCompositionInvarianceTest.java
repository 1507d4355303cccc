package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kansoku.TestPaths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A log-likelihood's bits do not depend on its batch neighbours (issue 18): one few-shot-sized request scored
 * alone, among copies of itself, in a padded batch of 24 requests from 30 to ≈ 900 tokens, with its question's
 * other choices (prefix reuse), with one sibling only (a resume that split the question), and with 1 to 11
 * neighbours of other contexts (batches of 2 and 3 rows moved the last bits before canonical shapes: −86.37638664
 * alone, −86.37638855 beside one neighbour) gives the same double every time; a greedy generation gives the same
 * tokens alone and among neighbours that leave the batch while it decodes. Compared exactly, not with a tolerance.
 */
class BatchCompositionInvarianceTest {
  @Test
  void aLogLikelihoodIsTheSameDoubleWhateverItsBatch() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    String context = "The following are multiple choice questions (with answers) about anatomy.\n".repeat(40) + "Answer:";
    LoglikelihoodRequest r = new LoglikelihoodRequest(context, " B", false);
    try (DjlEngine e = DjlEngine.load(TestPaths.TINY_MODEL, 2048)) {
      double alone = e.loglikelihood(List.of(r)).get(0).logLikelihood();

      List<LoglikelihoodRequest> copies = new ArrayList<>(java.util.Collections.nCopies(7, r));
      assertEquals(alone, e.loglikelihood(copies).get(3).logLikelihood(), 0.0, "among copies of itself");

      List<LoglikelihoodRequest> padded = new ArrayList<>();
      for (int i = 0; i < 23; i++) {
        padded.add(new LoglikelihoodRequest("Padding request " + "with more words ".repeat(5 + i * 13), " filler", false));
      }
      padded.add(3, r);
      assertEquals(alone, e.loglikelihood(padded).get(3).logLikelihood(), 0.0, "in a padded batch of 24");

      List<LoglikelihoodRequest> choices = new ArrayList<>(List.of(new LoglikelihoodRequest(context, " A", false), r,
          new LoglikelihoodRequest(context, " C and more", false), new LoglikelihoodRequest(context, " D", false)));
      assertEquals(alone, e.loglikelihood(choices).get(1).logLikelihood(), 0.0, "with its question's choices (prefix reuse)");
      assertEquals(alone, e.loglikelihood(List.of(r, choices.get(0))).get(0).logLikelihood(), 0.0, "with one sibling");

      LoglikelihoodRequest longer = new LoglikelihoodRequest(context, " the long answer goes on and on here", false);
      double longerAlone = e.loglikelihood(List.of(longer)).get(0).logLikelihood();
      for (int n = 1; n < 12; n++) {
        List<LoglikelihoodRequest> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          batch.add(new LoglikelihoodRequest("c" + i + context.substring(5), " tail " + i, false));
        }
        batch.add(n / 2, longer);
        assertEquals(longerAlone, e.loglikelihood(batch).get(n / 2).logLikelihood(), 0.0, "beside " + n + " other contexts");
      }
    }
  }

  @Test
  void aGreedyGenerationIsTheSameTextAloneAndAmongOthers() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    GenerationRequest g = new GenerationRequest("def has_close_elements(numbers, threshold):\n    \"\"\"Check", List.of("\ndef"), 48, true);
    try (DjlEngine e = DjlEngine.load(TestPaths.TINY_MODEL, 2048)) {
      GenerationResult alone = e.generate(List.of(g)).get(0);
      // neighbours of other lengths that finish earlier and leave the batch while it decodes
      List<GenerationRequest> batch = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        batch.add(new GenerationRequest("x = " + "1 + ".repeat(i * 30) + "2", List.of("\n"), 5 + i * 7, true));
      }
      batch.add(2, g);
      GenerationResult inBatch = e.generate(batch).get(2);
      assertEquals(java.util.Arrays.toString(alone.generatedIds()), java.util.Arrays.toString(inBatch.generatedIds()));
      assertEquals(alone.text(), inBatch.text());
    }
  }
}

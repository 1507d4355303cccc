package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generation's bits are a function of its own request (issue 26): every decoding step runs a lane of
 * {@link LaneDecoder#LANE_ROWS} rows shared by all the cohorts decoding at the time, so a sequence decodes beside
 * prompts of other buckets, other token budgets, sequences that finish or join mid-way, and in one lane or several.
 * Compared here through each token's log-probability (float bits, the top 5 alternatives too), not only the text:
 * alone; among 23 neighbours (prompt buckets 64 to 1,024, budgets 3 to 40, stop strings that end a third of them early) with the
 * default shapes, with {@code batch-size} 3 and with {@code batch-size} 40 (three lanes); and with the request in
 * another place of the batch. The 512-wide model is the one on which the pass-place effect showed
 * ({@link PassPlaceInvarianceTest}).
 */
class DecodingLaneInvarianceTest {
  private static final String CONFIG = """
      {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 48586, "hidden_size": 512,
       "intermediate_size": 1408, "num_hidden_layers": 2, "num_attention_heads": 8, "num_key_value_heads": 4,
       "max_position_embeddings": 2048, "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": true,
       "bos_token_id": 1, "eos_token_id": 7}
      """;

  @Test
  void aGenerationHasTheSameBitsWhateverDecodesBesideIt(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), CONFIG);
    Files.copy(TestPaths.TINY_MODEL.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    RandomCheckpoint.writeWeights(dir, 20261207L, 0.05);
    Random r = new Random(7);
    String[] words = {"東京", "は", "日本", "の", "首都", "です", "。", "The", " city", " council", " refused", " a", " permit", "\n"};
    List<GenerationRequest> reqs = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      StringBuilder prompt = new StringBuilder();
      int length = 20 + r.nextInt(i % 4 == 0 ? 400 : 90);
      for (int j = 0; j < length; j++) {
        prompt.append(words[r.nextInt(words.length)]);
      }
      reqs.add(new GenerationRequest(prompt.toString(), List.of(), 3 + r.nextInt(38), false, 0.0, 1.0, 0, 0L, null, 5));
    }
    try (DjlEngine e = DjlEngine.load(dir, 2048)) {
      // a third of them stop early: at a piece of the text they would generate without a stop string
      List<GenerationResult> free = e.generate(reqs);
      for (int i = 0; i < reqs.size(); i += 3) {
        String text = free.get(i).text();
        GenerationRequest g = reqs.get(i);
        if (text.length() > 6) {
          String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
          reqs.set(i, new GenerationRequest(g.prompt(), List.of(stop), g.maxNewTokens(), false, 0.0, 1.0, 0, 0L, null, 5));
        }
      }
      List<GenerationResult> alone = new ArrayList<>();
      for (GenerationRequest g : reqs) {
        alone.add(e.generate(List.of(g)).get(0));
      }
      List<GenerationRequest> reversed = new ArrayList<>(reqs);
      java.util.Collections.reverse(reversed);
      check(alone, e.generate(reqs, BatchShapes.DEFAULT), false, "default shapes");
      check(alone, e.generate(reversed, BatchShapes.DEFAULT), true, "default shapes, reversed");
      check(alone, e.generate(reqs, BatchShapes.canonical(3, 8192)), false, "batch-size 3");
      check(alone, e.generate(reversed, BatchShapes.canonical(40, 1 << 20)), true, "batch-size 40 (several lanes)");
      long buckets = reqs.stream().map(g -> BatchShapes.bucket(alone.get(reqs.indexOf(g)).promptIds().length)).distinct().count();
      assertTrue(buckets >= 3, "the requests span several prompt buckets: " + buckets);
      assertTrue(alone.stream().anyMatch(g -> g.finishReason().equals("stop")) && alone.stream().anyMatch(g -> g.finishReason().equals("length")),
          "some sequences stop early, others run to their budget");
    }
  }

  /**
   * A sparse mixture of experts routes each token to experts with the other tokens of its pass or lane, so an expert's
   * product has as many rows as its neighbours send it: unpadded, 12 of 12 Mixtral generations and 4 of 12 log-likelihoods
   * had other bits alone than in a batch. Experts now take their rows in whole blocks ({@link FeedForward#EXPERT_ROWS}).
   */
  @Test
  void aMixtureOfExpertsRequestHasTheSameBitsAloneAndInABatch(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), """
        {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "vocab_size": 48586, "hidden_size": 128,
         "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
         "num_local_experts": 4, "num_experts_per_tok": 2, "max_position_embeddings": 2048, "rms_norm_eps": 1e-05,
         "rope_theta": 1000000.0, "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 7}
        """);
    Files.copy(TestPaths.TINY_MODEL.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    RandomCheckpoint.writeWeights(dir, 20261207L, 0.08);
    Random r = new Random(11);
    String[] words = {"東京", "は", "日本", "の", "首都", "です", "。", "The", " city", " council", " refused", " a", " permit", "\n"};
    List<GenerationRequest> reqs = new ArrayList<>();
    List<LoglikelihoodRequest> scored = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      StringBuilder prompt = new StringBuilder();
      for (int j = 0, n = 10 + r.nextInt(60); j < n; j++) {
        prompt.append(words[r.nextInt(words.length)]);
      }
      reqs.add(new GenerationRequest(prompt.toString(), List.of(), 5 + r.nextInt(20), false, 0.0, 1.0, 0, 0L, null, 3));
      scored.add(new LoglikelihoodRequest(prompt.toString(), " 東京の首都", false));
    }
    try (DjlEngine e = DjlEngine.load(dir, 2048)) {
      List<GenerationResult> alone = new ArrayList<>();
      for (GenerationRequest g : reqs) {
        alone.add(e.generate(List.of(g)).get(0));
      }
      check(alone, e.generate(reqs, BatchShapes.DEFAULT), false, "mixtral, default shapes");
      List<LoglikelihoodResult> batch = e.loglikelihood(scored);
      for (int i = 0; i < scored.size(); i++) {
        assertEquals(e.loglikelihood(List.of(scored.get(i))).get(0).logLikelihood(), batch.get(i).logLikelihood(), 0.0,
            "mixtral log-likelihood " + i + " alone vs in a batch");
      }
    }
  }

  private static void check(List<GenerationResult> alone, List<GenerationResult> batch, boolean reversed, String how) {
    for (int i = 0; i < alone.size(); i++) {
      GenerationResult a = alone.get(i);
      GenerationResult b = batch.get(reversed ? alone.size() - 1 - i : i);
      String where = how + ", request " + i;
      assertArrayEquals(a.generatedIds(), b.generatedIds(), where);
      assertEquals(a.logprobs().chosen().length, b.logprobs().chosen().length, where);
      for (int t = 0; t < a.logprobs().chosen().length; t++) {
        assertEquals(Float.floatToIntBits(a.logprobs().chosen()[t]), Float.floatToIntBits(b.logprobs().chosen()[t]), where + ", token " + t);
        assertArrayEquals(a.logprobs().top()[t], b.logprobs().top()[t], where + ", token " + t);
        for (int k = 0; k < a.logprobs().topLogprobs()[t].length; k++) {
          assertEquals(Float.floatToIntBits(a.logprobs().topLogprobs()[t][k]), Float.floatToIntBits(b.logprobs().topLogprobs()[t][k]),
              where + ", token " + t + ", alternative " + k);
        }
      }
    }
  }
}

package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tokenizer.json larger than the model's embedding (issue 15: a raw EngineException from the forward pass): a
 * request with a token id ≥ vocab_size is refused with both sizes named, before any tensor is built.
 */
class TokenizerVocabularyTest {
  @Test
  void aTokenOutsideTheEmbeddingIsNamed(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("small-vocab");
    Files.createDirectories(dir);
    try (var in = getClass().getResourceAsStream("/llama-variant/config.json")) {
      Files.writeString(dir.resolve("config.json"), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
          .replace("\"vocab_size\": 48586", "\"vocab_size\": 1000"));
    }
    Files.copy(dev.kansoku.TestPaths.TINY_MODEL.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    TinyLlamaFactory.writeWeights(dir, 3, 0.02);
    assertEquals(48586, TextTokenizer.idCount(dir.resolve("tokenizer.json")), "the bundled tokenizer's ids (its Unigram list)");
    try (LlamaEngine e = LlamaEngine.load(dir, 2048)) {
      String rare = "東京特許許可局の曖昧な鬱";
      long max = java.util.Arrays.stream(e.tokenizer().encode(rare, false)).max().orElse(0);
      assertTrue(max >= 1000, "the text has a token id above the small vocabulary: " + max);
      IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
          () -> e.loglikelihood(List.of(new LoglikelihoodRequest(rare, " です", false))));
      assertTrue(x.getMessage().matches("token id \\d+ is outside the model's embedding \\(vocab_size 1000 in config.json\\).*"),
          x.getMessage());
      assertThrows(IllegalArgumentException.class, () -> e.generate(List.of(new GenerationRequest(rare, List.of(), 4, false))));
    }
  }
}

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
    RandomCheckpoint.writeWeights(dir, 3, 0.02);
    assertEquals(48586, TextTokenizer.idCount(dir.resolve("tokenizer.json")), "the bundled tokenizer's ids (its Unigram list)");
    try (DjlEngine e = DjlEngine.load(dir, 2048)) {
      String rare = "東京特許許可局の曖昧な鬱";
      long max = java.util.Arrays.stream(e.tokenizer().encode(rare, false)).max().orElse(0);
      assertTrue(max >= 1000, "the text has a token id above the small vocabulary: " + max);
      IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
          () -> e.loglikelihood(List.of(new LoglikelihoodRequest(rare, " です", false))));
      assertTrue(x.getMessage().matches("token id \\d+ is outside the model's embedding \\(vocab_size 1000 in config.json\\).*"),
          x.getMessage());
      assertThrows(TokenOutOfVocabularyException.class, () -> e.generate(List.of(new GenerationRequest(rare, List.of(), 4, false))));
    }
    // the command line: one line, exit 2, no stack trace (issue 27 item 6)
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    for (String[] command : List.of(
        new String[] {"loglik", "--model", dir.toString(), "--context", "東京特許許可局の曖昧な鬱", "--continuation", " です"},
        new String[] {"generate", "--model", dir.toString(), "--prompt", "東京特許許可局の曖昧な鬱", "--max-new-tokens", "2"})) {
      err.getBuffer().setLength(0);
      int code = dev.kansoku.cli.KansokuCli.execute(new java.io.PrintWriter(out), new java.io.PrintWriter(err), command);
      assertEquals(2, code, command[0] + ": " + err);
      assertEquals(1, err.toString().lines().count(), err.toString());
      assertTrue(err.toString().startsWith("error: token id "), err.toString());
    }
  }
}

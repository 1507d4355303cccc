package dev.kansoku.inference;

import dev.kansoku.TestPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Generated checkpoints for tests: a config.json from the test resources, the bundled tokenizer, seeded weights. */
final class TestCheckpoints {
  /** Weight spread of the sharp test checkpoints: attention is peaked, so an error in RoPE, masks or GQA moves logits. */
  static final double SHARP_STD = 0.3;

  private TestCheckpoints() {}

  /** Writes {@code dir} from the resource folder {@code /<resource>/config.json} and weights of {@code seed}. */
  static Path write(Path dir, String resource, long seed) throws IOException {
    Files.createDirectories(dir);
    try (InputStream in = TestCheckpoints.class.getResourceAsStream("/" + resource + "/config.json")) {
      Files.copy(in, dir.resolve("config.json"));
    }
    Files.copy(TestPaths.TINY_MODEL.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    // Cohere's norm applies its weight in float32 before the cast, GPT-2's LayerNorm has a weight and a bias: random
    // norm weights make the test see how each is applied
    RandomCheckpoint.writeWeights(dir, seed, SHARP_STD, resource.startsWith("cohere") || resource.startsWith("gpt2"));
    return dir;
  }
}

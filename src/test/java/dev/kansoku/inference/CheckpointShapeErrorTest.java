package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A weight whose shape disagrees with config.json names the tensor, the file and the config key at fault. */
class CheckpointShapeErrorTest {
  @Test
  void aWrongHiddenSizeIsNamedByItsKey(@TempDir Path tmp) throws Exception {
    TinyLlamaFactory.ensureWeights(TestPaths.TINY_MODEL);
    Path model = tmp.resolve("model");
    TestPaths.copyTree(TestPaths.TINY_MODEL, model);
    Path config = model.resolve("config.json");
    // 128 is still divisible by the heads, so config.json itself is consistent: only the weights disagree
    Files.writeString(config, Files.readString(config).replace("\"hidden_size\": 64", "\"hidden_size\": 128"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> LlamaEngine.load(model, 256).close());
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("model.embed_tokens.weight")
        && e.getMessage().contains("dimension 1 is 64 but hidden_size"), e.getMessage());
  }
}

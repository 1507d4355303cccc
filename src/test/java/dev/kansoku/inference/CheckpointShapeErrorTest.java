package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A weight whose shape disagrees with config.json names the tensor, the file and the config key at fault; a stored
 * weight the configured architecture does not read is refused by name (it would change the numbers silently).
 */
class CheckpointShapeErrorTest {
  @Test
  void aWrongHiddenSizeIsNamedByItsKey(@TempDir Path tmp) throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    Path model = tmp.resolve("model");
    TestPaths.copyTree(TestPaths.TINY_MODEL, model);
    Path config = model.resolve("config.json");
    // 128 is still divisible by the heads, so config.json itself is consistent: only the weights disagree
    Files.writeString(config, Files.readString(config).replace("\"hidden_size\": 64", "\"hidden_size\": 128"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> DjlEngine.load(model, 256).close());
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("model.embed_tokens.weight")
        && e.getMessage().contains("dimension 1 is 64 but hidden_size"), e.getMessage());
  }

  @Test
  void aWeightTheArchitectureDoesNotReadIsRefusedByName(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    TestPaths.copyTree(TestPaths.TINY_MODEL, model);
    Path config = model.resolve("config.json");
    String plain = Files.readString(config);
    // weights written for attention_bias = true (q, k, v and o biases, as modeling_llama has them) ...
    Files.writeString(config, plain.replaceFirst("\\{", "{\"attention_bias\": true, "));
    Files.deleteIfExists(model.resolve(RandomCheckpoint.WEIGHTS_FILE));
    RandomCheckpoint.writeWeights(model, 7, 0.02);
    DjlEngine.load(model, 256).close();
    assertTrue(ModelConfig.read(config).tensors().stream().anyMatch(t -> t.name().equals("model.layers.0.self_attn.o_proj.bias")),
        "LlamaAttention's o_proj has a bias with attention_bias");
    // ... read with a config.json that says false: the biases would be skipped, so the load stops naming the first
    Files.writeString(config, plain);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> DjlEngine.load(model, 256).close());
    assertTrue(e.getMessage().contains("model.layers.0.self_attn.k_proj.bias") && e.getMessage().contains("does not read"), e.getMessage());
  }
}

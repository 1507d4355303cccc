package dev.kansoku.inference.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.inference.ModelConfig;
import dev.kansoku.inference.ModelFormatException;
import dev.kansoku.inference.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Qwen3Config's defaults and keys as transformers 5 defines them (the numbers are in TransformersParityTest). */
class Qwen3ConfigTest {
  private static final String MINIMAL = """
      {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 1000, "hidden_size": 64,
       "intermediate_size": 96, "num_hidden_layers": 3, "num_attention_heads": 4, "num_key_value_heads": 2%s}
      """;

  private static ModelConfig read(Path dir, String extra) throws Exception {
    Files.writeString(dir.resolve("config.json"), MINIMAL.formatted(extra));
    return ModelConfig.read(dir.resolve("config.json"));
  }

  @Test
  void defaultsAreQwen3ConfigsNotLlamas(@TempDir Path dir) throws Exception {
    ModelConfig c = read(dir, "");
    assertEquals(128, c.headDim(), "Qwen3Config's head_dim default is 128, not hidden_size / heads");
    assertEquals(32768, c.maxPositionEmbeddings());
    assertEquals(1e-6, c.normEps());
    assertEquals(List.of(0, 0, 0), c.layerWindows());
    assertTrue(c.tensors().stream().map(TensorSpec::name).toList().containsAll(List.of("model.layers.2.self_attn.q_norm.weight",
        "model.layers.2.self_attn.k_norm.weight", "lm_head.weight")));
    assertTrue(c.tensors().stream().noneMatch(t -> t.name().endsWith("o_proj.bias")));
  }

  @Test
  void biasesWindowsAndUnknownKeys(@TempDir Path dir) throws Exception {
    ModelConfig c = read(dir, ", \"attention_bias\": true, \"use_sliding_window\": true, \"sliding_window\": 8, \"max_window_layers\": 1");
    assertEquals(List.of(0, 8, 8), c.layerWindows(), "sliding from max_window_layers on");
    assertTrue(c.tensors().stream().anyMatch(t -> t.name().equals("model.layers.0.self_attn.o_proj.bias")), "all four projections biased");
    // Qwen3's MLP has no bias option: a key its config class does not have is refused, not ignored
    assertEquals("mlp_bias", assertThrows(ModelFormatException.class, () -> read(dir, ", \"mlp_bias\": true")).key());
    assertEquals("hidden_act", assertThrows(ModelFormatException.class, () -> read(dir, ", \"hidden_act\": \"gelu\"")).key());
  }
}

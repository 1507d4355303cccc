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

/** Gemma2Config's keys and defaults, on the config.json google/gemma-2-2b-it publishes (transformers 4.42 wrote it). */
class Gemma2ConfigTest {
  /** The published file's keys and values, with 4 layers instead of 26. */
  private static final String PUBLISHED = """
      {"architectures": ["Gemma2ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
       "attn_logit_softcapping": 50.0, "bos_token_id": 2, "cache_implementation": "hybrid", "eos_token_id": [1, 107],
       "final_logit_softcapping": 30.0, "head_dim": 256, "hidden_act": "gelu_pytorch_tanh",
       "hidden_activation": "gelu_pytorch_tanh", "hidden_size": 2304, "initializer_range": 0.02, "intermediate_size": 9216,
       "max_position_embeddings": 8192, "model_type": "gemma2", "num_attention_heads": 8, "num_hidden_layers": 4,
       "num_key_value_heads": 4, "pad_token_id": 0, "query_pre_attn_scalar": 256, "rms_norm_eps": 1e-06,
       "rope_theta": 10000.0, "sliding_window": 4096, "torch_dtype": "bfloat16", "transformers_version": "4.42.4",
       "use_cache": true, "vocab_size": 256000}
      """;

  private static ModelConfig read(Path dir, String json) throws Exception {
    Files.writeString(dir.resolve("config.json"), json);
    return ModelConfig.read(dir.resolve("config.json"));
  }

  @Test
  void thePublishedConfigReadsAsTransformersReadsIt(@TempDir Path dir) throws Exception {
    ModelConfig c = read(dir, PUBLISHED);
    assertEquals(new Gemma2(false, 256, 50.0, 30.0), c.implementation());
    assertEquals(256, c.headDim());
    assertEquals(List.of(4096, 0, 4096, 0), c.layerWindows(), "even layers slide ((i + 1) % 2)");
    assertTrue(c.tieWordEmbeddings());
    assertEquals(List.of(1, 107), c.eosTokenIds());
    List<String> names = c.tensors().stream().map(TensorSpec::name).toList();
    assertTrue(names.containsAll(List.of("model.layers.3.pre_feedforward_layernorm.weight", "model.layers.3.post_feedforward_layernorm.weight")));
    assertTrue(names.stream().noneMatch(n -> n.equals("lm_head.weight")), "tied");
  }

  @Test
  void nullCapsMeanNoneAndUnimplementedOptionsAreRefused(@TempDir Path dir) throws Exception {
    ModelConfig c = read(dir, PUBLISHED.replace("\"attn_logit_softcapping\": 50.0", "\"attn_logit_softcapping\": null")
        .replace("\"sliding_window\": 4096", "\"sliding_window\": null"));
    assertEquals(new Gemma2(false, 256, 0.0, 30.0), c.implementation());
    assertEquals(List.of(0, 0, 0, 0), c.layerWindows());
    assertEquals("hidden_activation", assertThrows(ModelFormatException.class,
        () -> read(dir, PUBLISHED.replace("\"hidden_activation\": \"gelu_pytorch_tanh\"", "\"hidden_activation\": \"relu\""))).key());
    assertEquals("use_bidirectional_attention", assertThrows(ModelFormatException.class,
        () -> read(dir, PUBLISHED.replace("\"use_cache\": true", "\"use_cache\": true, \"use_bidirectional_attention\": true"))).key());
  }
}

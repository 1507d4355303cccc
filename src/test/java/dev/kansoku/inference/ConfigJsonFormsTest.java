package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config.json in transformers 4.x's and 5.x's serialisations reads to the same model, and every key that would change
 * the computation without being implemented is refused by name (TransformersParityTest checks the numbers against
 * transformers itself; this is the reader alone, in milliseconds).
 */
class ConfigJsonFormsTest {
  @TempDir
  Path dir;

  private static final String V5_LLAMA = """
      {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "dtype": "bfloat16", "vocab_size": 1000, "hidden_size": 64,
       "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
       "max_position_embeddings": 256, "rms_norm_eps": 1e-6, "hidden_act": "silu", "attention_bias": false, "mlp_bias": false,
       "attention_dropout": 0.0, "pretraining_tp": 1, "use_cache": true, "tie_word_embeddings": false, "eos_token_id": 2,
       "transformers_version": "5.18.0", "rope_parameters": {"rope_theta": 500000.0, "rope_type": "llama3", "factor": 8.0,
       "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64}}
      """;

  private static final String V4_LLAMA = """
      {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "torch_dtype": "bfloat16", "vocab_size": 1000, "hidden_size": 64,
       "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
       "max_position_embeddings": 256, "rms_norm_eps": 1e-6, "hidden_act": "silu", "tie_word_embeddings": false, "eos_token_id": 2,
       "rope_theta": 500000.0, "rope_scaling": {"type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
       "original_max_position_embeddings": 64}}
      """;

  private ModelConfig read(String json) throws Exception {
    Files.writeString(dir.resolve("config.json"), json);
    return ModelConfig.read(dir.resolve("config.json"));
  }

  private ModelFormatException refused(String json) {
    return assertThrows(ModelFormatException.class, () -> read(json));
  }

  @Test
  void bothSerialisationsGiveTheSameRotaryEmbedding() throws Exception {
    ModelConfig v5 = read(V5_LLAMA);
    ModelConfig v4 = read(V4_LLAMA);
    assertEquals(500000.0, v5.rope().theta());
    assertEquals(v4.rope(), v5.rope());
    assertArrayEquals(v4.rope().inverseFrequencies(16), v5.rope().inverseFrequencies(16));
    // the silent fallback this replaces: a 5.x config read as if rope_theta were the default 10,000
    assertTrue(v5.rope().inverseFrequencies(16)[1] < RotaryParameters.plain(10000).inverseFrequencies(16)[1]);
  }

  @Test
  void rotaryPrecedenceFollowsTransformers() throws Exception {
    // a non-empty rope_scaling replaces rope_parameters; rope_theta inside wins over the top-level one
    ModelConfig c = read(V5_LLAMA.replace("\"transformers_version\"", "\"rope_theta\": 1234.0, \"rope_scaling\": {\"rope_type\": \"linear\", \"factor\": 2.0}, \"transformers_version\""));
    assertEquals("linear", c.rope().type());
    assertEquals(1234.0, c.rope().theta());
    // architecture defaults: Mixtral 1e6, Cohere 5e5
    String mixtral = V4_LLAMA.replace("LlamaForCausalLM", "MixtralForCausalLM").replace("\"rope_theta\": 500000.0,", "")
        .replaceAll("\"rope_scaling\": \\{[^}]*}", "\"num_local_experts\": 4");
    assertEquals(1e6, read(mixtral).rope().theta());
    assertEquals(1e-6, read(mixtral).normEps(), "rms_norm_eps as given");
    // llama3 without original_max_position_embeddings takes max_position_embeddings (standardize_rope_params)
    assertEquals(256, read(V5_LLAMA.replace(", \"original_max_position_embeddings\": 64", "")).rope().originalMaxPositions());
  }

  @Test
  void yarnTakesItsAttentionFactorFromTheScale() throws Exception {
    ModelConfig c = read(V5_LLAMA.replaceAll("\"rope_parameters\": \\{[^}]*}",
        "\"rope_parameters\": {\"rope_type\": \"yarn\", \"rope_theta\": 10000.0, \"factor\": 4.0, \"original_max_position_embeddings\": 64}"));
    assertEquals(0.1 * Math.log(4.0) + 1.0, c.rope().attentionScaling(), 1e-12);
    assertEquals(32, c.rope().betaFast());
  }

  @Test
  void whatIsNotImplementedIsRefusedByName() {
    assertEquals("rope_parameters.rope_type", refused(V5_LLAMA.replace("\"llama3\"", "\"longrope\"")).key());
    assertEquals("rope_parameters.partial_rotary_factor",
        refused(V5_LLAMA.replace("\"factor\": 8.0", "\"factor\": 8.0, \"partial_rotary_factor\": 0.5")).key());
    assertEquals("rope_parameters.mscale", refused(V5_LLAMA.replace("\"factor\": 8.0", "\"factor\": 8.0, \"mscale\": 1.0")).key(),
        "a key the rope type does not read");
    assertEquals("rope_parameters.full_attention", refused(V5_LLAMA.replaceAll("\"rope_parameters\": \\{[^}]*}",
        "\"rope_parameters\": {\"full_attention\": {\"rope_type\": \"default\"}}")).key());
    // Gemma-style soft-capping on a Llama config: transformers' LlamaForCausalLM has no such key; never silently dropped
    ModelFormatException unknown = refused(V5_LLAMA.replace("\"use_cache\": true", "\"attn_logit_softcapping\": 50.0"));
    assertEquals("attn_logit_softcapping", unknown.key());
    assertTrue(unknown.getMessage().contains("not ignored"), unknown.getMessage());
    assertEquals("layer_types[1]", refused(V5_LLAMA.replace("\"use_cache\": true", "\"layer_types\": [\"full_attention\", \"sliding_attention\"]")).key());
    assertEquals("hidden_act", refused(V5_LLAMA.replace("\"silu\"", "\"gelu\"")).key());
    assertEquals("mlp_bias", refused(V5_LLAMA.replace("\"mlp_bias\": false", "\"mlp_bias\": true")).key());
    assertEquals("torch_dtype", refused(V5_LLAMA.replace("\"use_cache\": true", "\"torch_dtype\": \"float16\"")).key());
    assertEquals("dtype", refused(V5_LLAMA.replace("\"bfloat16\"", "\"int8\"")).key());
  }

  @Test
  void qwen2WindowsFollowLayerTypesOrMaxWindowLayers() throws Exception {
    String qwen2 = V4_LLAMA.replace("LlamaForCausalLM", "Qwen2ForCausalLM").replaceAll("\"rope_scaling\": \\{[^}]*}",
        "\"use_sliding_window\": true, \"sliding_window\": 8, \"max_window_layers\": 1");
    assertEquals(List.of(0, 8), read(qwen2).layerWindows());
    assertEquals(List.of(0, 0), read(qwen2.replace("\"use_sliding_window\": true", "\"use_sliding_window\": false")).layerWindows());
    assertEquals(List.of(8, 0), read(qwen2.replace("\"max_window_layers\": 1",
        "\"layer_types\": [\"sliding_attention\", \"full_attention\"]")).layerWindows());
    assertEquals("layer_types", refused(qwen2.replace("\"max_window_layers\": 1", "\"layer_types\": [\"full_attention\"]")).key());
    // Mistral: every layer, 4096 by MistralConfig's default, none when null
    String mistral = V4_LLAMA.replace("LlamaForCausalLM", "MistralForCausalLM").replaceAll("\"rope_scaling\": \\{[^}]*}", "\"rope_scaling\": null");
    assertEquals(List.of(4096, 4096), read(mistral).layerWindows());
    assertEquals(List.of(0, 0), read(mistral.replace("\"rope_scaling\": null", "\"sliding_window\": null")).layerWindows());
  }

  @Test
  void generationConfigEosTakesPrecedence() throws Exception {
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [2, 5, 9], \"do_sample\": true}");
    assertEquals(List.of(2, 5, 9), read(V5_LLAMA).eosTokenIds());
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [2, 1000]}");
    assertEquals("eos_token_id", refused(V5_LLAMA).key());
  }
}

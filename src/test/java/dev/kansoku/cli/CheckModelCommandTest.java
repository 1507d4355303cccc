package dev.kansoku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kansoku check-model} on a Qwen2-style config (attention biases): writes bf16 shards + index, loads, runs. */
class CheckModelCommandTest {
  @Test
  void writesLoadsScoresAndReports(@TempDir Path tmp) throws Exception {
    Path config = tmp.resolve("config.json");
    Files.writeString(config, """
        {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 48586, "hidden_size": 128,
         "intermediate_size": 256, "num_hidden_layers": 24, "num_attention_heads": 4, "num_key_value_heads": 2,
         "max_position_embeddings": 4096, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "tie_word_embeddings": false,
         "hidden_act": "silu", "bos_token_id": 1, "eos_token_id": 7, "torch_dtype": "bfloat16"}
        """);
    Path out = tmp.resolve("ckpt");
    CliRuns.Run r = CliRuns.run("check-model", "--config", config.toString(), "--layers", "2", "--shards", "2",
        "--tokenizer", dev.kansoku.TestPaths.TINY_MODEL.resolve("tokenizer.json").toString(), "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("2 shard(s) + index"), r.out());
    assertTrue(r.out().contains("largest tensor: model.embed_tokens.weight [48586, 128]"), r.out());
    assertTrue(r.out().matches("(?s).*load \\(fp32\\): [0-9.]+ s, [0-9]+ MB/s.*loglikelihood: -[0-9.]+.*generation: \\d+ tokens.*"), r.out());
    assertTrue(Files.exists(out.resolve("model-00002-of-00002.safetensors")));
    assertTrue(Files.readString(out.resolve("config.json")).contains("\"num_hidden_layers\" : 2"));
    assertTrue(Files.readString(out.resolve("model.safetensors.index.json")).contains("\"model.layers.1.self_attn.q_proj.bias\""));
  }
}

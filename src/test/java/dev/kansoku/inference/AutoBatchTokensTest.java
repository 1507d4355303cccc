package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.config.ModelSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The auto token budget from the published shapes of two study models: the KV cache per token is the figure
 * everyone quotes (Llama-2-7B: 2 × 32 layers × 4,096 × 2 bytes = 512 KiB in fp16; Llama-3-8B with 8 KV heads:
 * 128 KiB), the rest one layer's activations; then the budget's rounding, floor, caps and sharing.
 */
class AutoBatchTokensTest {
  private static ModelConfig study(String name) throws Exception {
    return ModelConfig.read(Path.of("conf/models/configs/" + name + ".json"));
  }

  @Test
  void bytesPerTokenHoldTheKvCacheOfEveryLayerAndOneLayersActivations() throws Exception {
    ModelConfig llama2 = study("meta-llama--Llama-2-7b-hf");
    ModelConfig llama3 = study("meta-llama--Meta-Llama-3-8B");
    long kv2 = 2L * 32 * 4096 * 2;
    long kv3 = 2L * 32 * 8 * 128 * 2;
    assertEquals(512 << 10, kv2);
    assertEquals(128 << 10, kv3);
    // one layer's activations in fp16: hidden ×4, q and attention output, k and v, three MLP intermediates; plus
    // three float32 copies of the hidden state (norms)
    assertEquals(kv2 + 2L * (4 * 4096 + 2 * 4096 + 2 * 4096 + 3 * 11008) + 3 * 4096 * 4, AutoBatchTokens.bytesPerToken(llama2, 2));
    assertEquals(kv3 + 2L * (4 * 4096 + 2 * 4096 + 2 * 1024 + 3 * 14336) + 3 * 4096 * 4, AutoBatchTokens.bytesPerToken(llama3, 2));
    // float32 activations (fp32 and bf16 compute) double everything but the float32 copies
    assertEquals(2 * (AutoBatchTokens.bytesPerToken(llama2, 2) - 3 * 4096 * 4) + 3 * 4096 * 4, AutoBatchTokens.bytesPerToken(llama2, 4));
  }

  @Test
  void theBudgetIsAPowerOfTwoOfHalfTheFreeMemoryWithinItsBounds() throws Exception {
    ModelConfig llama3 = study("meta-llama--Meta-Llama-3-8B");
    long perToken = AutoBatchTokens.bytesPerToken(llama3, 2);
    long fixed = AutoBatchTokens.fixedBytes(llama3);
    // an H200 with the 16 GB of fp16 weights loaded: ≈ 125 GB free → half over one batch → the GPU cap
    assertEquals(AutoBatchTokens.GPU_MAX, AutoBatchTokens.of(llama3, 2, 125L << 30, 1, true).tokens());
    // 8 GiB free: (4 GiB − fixed) / perToken rounded down to a power of two
    long expected = Long.highestOneBit(((4L << 30) - fixed) / perToken);
    assertEquals(expected, AutoBatchTokens.of(llama3, 2, 8L << 30, 1, true).tokens());
    // shared by 4 concurrent batches: a quarter of the room, two powers of two less
    assertEquals(expected / 4, AutoBatchTokens.of(llama3, 2, 8L << 30, 4, true).tokens());
    // CPU: capped, because larger passes are slower there
    assertEquals(AutoBatchTokens.CPU_MAX, AutoBatchTokens.of(llama3, 4, 64L << 30, 1, false).tokens());
    // no room at all: the floor, and the out-of-memory back-off decides
    assertEquals(AutoBatchTokens.MIN, AutoBatchTokens.of(llama3, 2, 0, 1, true).tokens());
    for (long free = 1L << 28; free < 1L << 38; free *= 3) {
      int t = AutoBatchTokens.of(llama3, 2, free, 2, true).tokens();
      assertEquals(Integer.bitCount(t), 1, "a power of two: " + t);
      assertTrue(t >= AutoBatchTokens.MIN && t <= AutoBatchTokens.GPU_MAX, "" + t);
    }
  }

  @Test
  void aLoadedEngineResolvesOnceFromItsMemory(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path dir = TestCheckpoints.write(tmp.resolve("variant"), "llama-variant", 7L);
    try (DjlEngine engine = DjlEngine.load(dir, ModelSpec.FORMAT_HF_LLAMA, "fp32", 2048, ai.djl.Device.cpu())) {
      AutoBatchTokens.Estimate first = engine.autoBatchTokens(0, 2);
      assertTrue(first.freeBytes() > 0, first.toString());
      assertEquals(first, engine.autoBatchTokens(0.001, 8), "resolved once: later calls return the first estimate");
    }
  }
}

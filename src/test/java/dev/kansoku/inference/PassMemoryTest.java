package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forward pass holds one layer's intermediates at a time: the arrays still alive when the hidden states come out
 * do not depend on the number of layers (before the per-layer scope, each layer left about 30 behind, its
 * attention scores among them — 20 GB at 4,096 tokens on the 50M bench model; docs/benchmarks.md).
 */
class PassMemoryTest {
  @Test
  void theArraysAlivePastAPassDoNotGrowWithTheLayers(@TempDir Path tmp) throws Exception {
    int[] alive = new int[2];
    int[] layers = {2, 6};
    for (int i = 0; i < layers.length; i++) {
      Path dir = Files.createDirectories(tmp.resolve("layers-" + layers[i]));
      String config = new String(PassMemoryTest.class.getResourceAsStream("/llama-variant/config.json").readAllBytes())
          .replaceAll("\"num_hidden_layers\"\\s*:\\s*\\d+", "\"num_hidden_layers\": " + layers[i]);
      Files.writeString(dir.resolve("config.json"), config);
      RandomCheckpoint.writeWeights(dir, 7L, 0.3);
      try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
           DecoderModel model = DecoderModel.load(dir, m, DataType.FLOAT32)) {
        NDManager pass = m.newSubManager();
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          long[][] ids = {{5, 100, 2000, 7, 9, 11, 13, 17}, {1, 2, 3, 4, 5, 6, 7, 8}};
          NDArray idArray = pass.create(ids);
          NDArray mask = pass.ones(idArray.getShape(), DataType.INT64);
          NDArray positions = pass.arange(0, 8, 1, DataType.INT64).reshape(1, 8).repeat(0, 2);
          NDArray hidden = model.hiddenStates(idArray, mask, positions);
          assertEquals(new ai.djl.ndarray.types.Shape(2, 8, model.config().hiddenSize()), hidden.getShape());
          alive[i] = pass.getManagedArrays().size();
        }
        pass.close();
      }
    }
    assertTrue(alive[0] > 0, "the pass's arrays are counted");
    assertEquals(alive[0], alive[1], "arrays alive after a 2-layer and a 6-layer pass");
  }

  /**
   * Queries in blocks when one row's scores exceed the cap: the same hidden states as one block (softmax is per
   * query), here with blocks of 16 of a 64-token pass; and the block size is a multiple of 16 within the cap.
   */
  @Test
  void queriesInBlocksGiveTheSameHiddenStates(@TempDir Path tmp) throws Exception {
    Path dir = TestCheckpoints.write(tmp.resolve("variant"), "llama-variant", 7L);
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
         DecoderModel model = DecoderModel.load(dir, m, DataType.FLOAT32)) {
      int heads = model.config().numHeads();
      long t = 64;
      long[][] ids = new long[2][(int) t];
      for (int r = 0; r < 2; r++) {
        for (int i = 0; i < t; i++) {
          ids[r][i] = (31L * i + 7L * r + 5) % 30000;
        }
      }
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        NDArray idArray = m.create(ids);
        NDArray mask = m.ones(idArray.getShape(), DataType.INT64);
        mask.set(new ai.djl.ndarray.index.NDIndex("1, :10"), 0); // left padding in the second row
        NDArray positions = m.arange(0, t, 1, DataType.INT64).reshape(1, t).repeat(0, 2);
        float[] whole = model.withAttentionCap(Attention.ATTENTION_BYTES).hiddenStates(idArray, mask, positions).toFloatArray();
        long cap = 2 * heads * t * 4 * 16; // 16 queries of 2 rows × heads × 64 keys
        assertEquals(16, Attention.queryChunk(2, heads, t, t, cap));
        float[] blocks = model.withAttentionCap(cap).hiddenStates(idArray, mask, positions).toFloatArray();
        double largest = 0;
        for (int i = 0; i < whole.length; i++) {
          largest = Math.max(largest, Math.abs(whole[i] - blocks[i]));
        }
        System.out.println("blocks of 16 queries vs one block: largest difference " + largest);
        assertTrue(largest < 1e-5, "largest difference " + largest);
      }
    }
    assertEquals(64, Attention.queryChunk(1, 32, 64, 4096, Attention.ATTENTION_BYTES), "fits whole");
    assertEquals(256, Attention.queryChunk(1, 32, 4096, 4096, Attention.ATTENTION_BYTES), "7B-class at 4,096: 128 MB / (32 × 4,096 × 4 B)");
    assertEquals(48, Attention.queryChunk(1, 8, 4096, 4096, 4L * 8 * 4096 * 50), "50 fit: a multiple of 16");
  }
}

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
      TinyLlamaFactory.writeWeights(dir, 7L, 0.3);
      try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
           LlamaModel model = LlamaModel.load(dir, m, DataType.FLOAT32)) {
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
}

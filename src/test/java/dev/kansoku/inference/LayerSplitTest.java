package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.config.DeviceMemory;
import dev.kansoku.config.ModelSpec;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model shards: the split plan (which device runs which layers, within each device's weight budget) and the split
 * forward pass. This machine has one device, so the shards of the forward-pass tests are all on the CPU; the
 * hand-over between shards still runs (hidden states, rotary tables and the mask are copied to each shard and
 * attached to its manager, KV-cache entries stay with their layer), so a layer run twice, skipped or fed the wrong
 * tables would change the numbers. The transfers between two real GPUs are not exercised here.
 */
class LayerSplitTest {
  /** A pool of this test's own (the executor side owns the shared one). */
  private static final ModelPool POOL = new ModelPool();

  @TempDir
  static Path tmp;
  private static Path llama;
  private static Path mixtral;
  private static Path cohere;

  @BeforeAll
  static void checkpoints() throws Exception {
    llama = TestCheckpoints.write(tmp.resolve("llama"), "llama-variant", 7L);
    mixtral = TestCheckpoints.write(tmp.resolve("mixtral"), "mixtral-variant", 11L);
    cohere = TestCheckpoints.write(tmp.resolve("cohere"), "cohere-variant", 23L);
  }

  private static ModelConfig config(Path dir) throws Exception {
    return ModelConfig.read(dir.resolve("config.json"));
  }

  /** Budgets that hold the embedding and head plus {@code layersEach[0]} layers on the first device, {@code layersEach[i]} on the others. */
  private static List<LayerSplit.DeviceBudget> budgets(ModelConfig c, List<Device> devices, int... layersEach) {
    LayerSplit.WeightBytes w = LayerSplit.WeightBytes.of(c, DataType.FLOAT32);
    List<LayerSplit.DeviceBudget> out = new java.util.ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      out.add(new LayerSplit.DeviceBudget(devices.get(i), (i == 0 ? w.outside() : 0) + layersEach[i] * w.perLayer() + 1));
    }
    return out;
  }

  @Test
  void layersFillTheDevicesInOrderWithinTheirBudgets() throws Exception {
    ModelConfig c = config(llama);
    List<Device> gpus = List.of(Device.gpu(0), Device.gpu(1), Device.gpu(2));

    LayerSplit fits = LayerSplit.plan(c, DataType.FLOAT32, budgets(c, gpus, 3, 3, 3));
    assertFalse(fits.isSplit(), fits.describe());
    assertEquals(List.of(new LayerSplit.Shard(Device.gpu(0), 0, 3, LayerSplit.WeightBytes.of(c, DataType.FLOAT32).total())), fits.shards());

    LayerSplit three = LayerSplit.plan(c, DataType.FLOAT32, budgets(c, gpus, 1, 1, 1));
    assertEquals(List.of(0, 1, 2), three.shards().stream().map(LayerSplit.Shard::firstLayer).toList());
    assertEquals(List.of(1, 2, 3), three.shards().stream().map(LayerSplit.Shard::endLayer).toList());
    assertEquals(1, three.shardOf(1));
    assertTrue(three.describe().startsWith("gpu(0) embedding+head+layers 0-0"), three.describe());

    // a device with room for no layer is skipped, not given an empty shard
    LayerSplit skipping = LayerSplit.plan(c, DataType.FLOAT32, budgets(c, gpus, 1, 0, 2));
    assertEquals(List.of(Device.gpu(0), Device.gpu(2)), skipping.shards().stream().map(LayerSplit.Shard::device).toList());
    assertEquals(3, skipping.shards().get(1).endLayer());

    // fp16 halves every figure: the model that needed three devices in fp32 fits on two
    LayerSplit.WeightBytes half = LayerSplit.WeightBytes.of(c, DataType.FLOAT16);
    assertEquals(LayerSplit.WeightBytes.of(c, DataType.FLOAT32).total(), 2 * half.total());
  }

  @Test
  void aModelTheDevicesCannotHoldIsAnErrorWithTheFigures() throws Exception {
    ModelConfig c = config(llama);
    List<Device> gpus = List.of(Device.gpu(0), Device.gpu(1));
    ModelDoesNotFitException tooFew = assertThrows(ModelDoesNotFitException.class,
        () -> LayerSplit.plan(c, DataType.FLOAT32, budgets(c, gpus, 1, 1)));
    assertTrue(tooFew.getMessage().contains("layers 2..2 do not fit"), tooFew.getMessage());
    assertTrue(tooFew.getMessage().contains("gpu(1)") && tooFew.getMessage().contains("MiB"), tooFew.getMessage());
    ModelDoesNotFitException noEmbedding = assertThrows(ModelDoesNotFitException.class, () -> LayerSplit.plan(c, DataType.FLOAT32,
        List.of(new LayerSplit.DeviceBudget(Device.gpu(0), 1000), new LayerSplit.DeviceBudget(Device.gpu(1), Long.MAX_VALUE))));
    assertTrue(noEmbedding.getMessage().contains("embedding and LM head alone"), noEmbedding.getMessage());
  }

  @Test
  void theParameterCountMatchesTheCheckpoint() throws Exception {
    // the budget arithmetic counts exactly the tensors the loader reads (tied head counted once)
    // Cohere: one norm per layer, tied head
    for (Path dir : List.of(llama, mixtral, cohere)) {
      long floats = 0;
      try (var files = java.nio.file.Files.newDirectoryStream(dir, "*.safetensors")) {
        for (Path f : files) {
          SafetensorsFile st = SafetensorsFile.open(f);
          for (var t : st.tensors().values()) {
            floats += java.util.Arrays.stream(t.shape()).reduce(1, (a, b) -> a * b);
          }
        }
      }
      assertEquals(floats * 4, LayerSplit.WeightBytes.of(config(dir), DataType.FLOAT32).total(), dir.toString());
    }
  }

  @Test
  void aSplitModelScoresAndGeneratesAsTheWholeOne() throws Exception {
    ModelConfig c = config(llama);
    List<Device> cpus = List.of(Device.cpu(), Device.cpu(), Device.cpu());
    List<LoglikelihoodRequest> scoring = List.of(
        new LoglikelihoodRequest("Question: what is the capital of Japan?\nAnswer:", " Tokyo", false),
        new LoglikelihoodRequest("Question: what is the capital of Japan?\nAnswer:", " Kyoto", false),
        new LoglikelihoodRequest("日本の首都は", "東京です。", false));
    List<GenerationRequest> generation = List.of(
        new GenerationRequest("The cat sat on the", List.of(), 8, false),
        new GenerationRequest("日本の首都は東京です。京都は", List.of(), 8, false, 0.8, 0.95, 20, 42L));
    try (DjlEngine whole = DjlEngine.load(llama, ModelSpec.FORMAT_HF_LLAMA, "fp32", 2048, Device.cpu());
         DjlEngine split = DjlEngine.load(llama, ModelSpec.FORMAT_HF_LLAMA, "fp32", 2048, budgets(c, cpus, 1, 1, 1))) {
      List<LoglikelihoodResult> expected = whole.loglikelihood(scoring);
      List<LoglikelihoodResult> actual = split.loglikelihood(scoring);
      for (int i = 0; i < scoring.size(); i++) {
        assertEquals(expected.get(i).logLikelihood(), actual.get(i).logLikelihood(), 1e-6, "request " + i);
        assertEquals(expected.get(i).greedy(), actual.get(i).greedy(), "request " + i);
      }
      // generation goes through the KV cache, whose entries live on their layer's shard
      List<GenerationResult> g1 = whole.generate(generation);
      List<GenerationResult> g2 = split.generate(generation);
      for (int i = 0; i < generation.size(); i++) {
        assertArrayEquals(g1.get(i).generatedIds(), g2.get(i).generatedIds(), "generation " + i);
      }
    }
  }

  @Test
  void aSplitMixtureOfExpertsRoutesOnEachShard() throws Exception {
    ModelConfig c = config(mixtral);
    List<Device> cpus = List.of(Device.cpu(), Device.cpu());
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
         DecoderModel model = DecoderModel.load(mixtral, manager, DataType.FLOAT32, budgets(c, cpus, 1, 1));
         NDScope scope = new NDScope();
         KvCache cache = model.newCache()) {
      assertTrue(model.split().isSplit());
      assertEquals(1, model.split().shardOf(1));
      NDArray ids = manager.create(new long[] {5, 17, 300, 9}, new Shape(1, 4));
      NDArray hidden = model.hiddenStates(ids, manager.ones(new Shape(1, 4), DataType.INT64),
          manager.arange(0L, 4L).reshape(1, 4), cache);
      // what a GPU needs: the keys and values of the later shards' layers were made on (and belong to) their shard,
      // and the hidden states come back to the first shard, where the head is; a hand-over that skipped the attach
      // would leave the second shard's cache with the caller's manager, on the first device
      for (int layer = 0; layer < c.numLayers(); layer++) {
        int shard = model.split().shardOf(layer);
        if (shard > 0) {
          assertSame(model.shardManager(shard), cache.key(layer).getManager(), "layer " + layer);
        }
      }
      assertSame(model.shardManager(0), hidden.getManager());
    }
    List<LoglikelihoodRequest> scoring = List.of(new LoglikelihoodRequest("The quick brown fox", " jumps over the lazy dog", false));
    try (DjlEngine whole = DjlEngine.load(mixtral, ModelSpec.FORMAT_HF_LLAMA, "fp32", 512, Device.cpu());
         DjlEngine split = DjlEngine.load(mixtral, ModelSpec.FORMAT_HF_LLAMA, "fp32", 512, budgets(c, cpus, 1, 1))) {
      assertEquals(whole.loglikelihood(scoring).get(0).logLikelihood(), split.loglikelihood(scoring).get(0).logLikelihood(), 1e-6);
    }
  }

  @Test
  void thePoolNamesTheModelThatDoesNotFit() {
    ModelSpec spec = new ModelSpec("too-big", "too-big", "r1", llama.toString(), ModelSpec.FORMAT_HF_LLAMA, "fp32", 2048, false,
        null, null, null, null, null, "synthetic", null, "test");
    // 1 MiB per device: not even the 12 MB embedding fits
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> POOL.lease(spec, 2048, 0,
        List.of(Device.cpu(), Device.cpu()), new DeviceMemory(1.0 / 1024, 1.0)));
    assertTrue(e.getMessage().contains("'too-big'") && e.getMessage().contains("embedding and LM head alone"), e.getMessage());
  }
}

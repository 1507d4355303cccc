package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.config.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint as Hugging Face publishes large models (issue 15): bf16 tensors in two shards with
 * {@code model.safetensors.index.json}, plus a stale shard of another revision left in the folder. It scores
 * exactly as the same weights in one fp32 file; a missing shard, a tensor the index puts in the wrong shard, and a
 * tensor in two files without an index are one-line errors naming the file and the tensor.
 */
class ShardedCheckpointTest {
  @TempDir
  static Path tmp;
  private static Path single;
  private static Map<String, float[]> weights;
  private static Map<String, long[]> shapes;
  private static final List<LoglikelihoodRequest> REQUESTS = List.of(
      new LoglikelihoodRequest("問題: 日本の首都はどこですか。\n答え:", " 東京", false),
      new LoglikelihoodRequest("The capital of France is", " Paris, of course", false));

  @BeforeAll
  static void writeCheckpoints() throws Exception {
    Path source = TestCheckpoints.write(tmp.resolve("source"), "llama-variant", 31);
    SafetensorsFile file = SafetensorsFile.open(source.resolve(RandomCheckpoint.WEIGHTS_FILE));
    weights = new LinkedHashMap<>();
    shapes = new LinkedHashMap<>();
    for (SafetensorsFile.TensorInfo t : file.tensors().values()) {
      float[] v = file.readFloats(t.name());
      for (int i = 0; i < v.length; i++) {
        v[i] = SafetensorsWriter.fromBfloat16(SafetensorsWriter.toBfloat16(v[i])); // the values bf16 can hold
      }
      weights.put(t.name(), v);
      shapes.put(t.name(), t.shape());
    }
    single = copyConfig(source, tmp.resolve("single-fp32"));
    write(single.resolve("model.safetensors"), weights.keySet().stream().toList(), "F32");
  }

  private static Path copyConfig(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    for (String f : List.of("config.json", "tokenizer.json")) {
      Files.copy(from.resolve(f), to.resolve(f));
    }
    return to;
  }

  private static void write(Path file, List<String> names, String dtype) throws Exception {
    SafetensorsWriter w = new SafetensorsWriter();
    for (String n : names) {
      w.add(n, shapes.get(n), weights.get(n));
    }
    w.write(file, Map.of("format", "pt"), dtype);
  }

  /** Two bf16 shards split between the layers, the index naming each tensor's shard. */
  private static Path sharded(String name) throws Exception {
    Path dir = copyConfig(single, tmp.resolve(name));
    List<String> names = new ArrayList<>(weights.keySet());
    List<String> first = names.subList(0, names.size() / 2);
    List<String> second = names.subList(names.size() / 2, names.size());
    write(dir.resolve("model-00001-of-00002.safetensors"), first, "BF16");
    write(dir.resolve("model-00002-of-00002.safetensors"), second, "BF16");
    StringBuilder index = new StringBuilder("{\"metadata\": {\"total_size\": 0}, \"weight_map\": {");
    for (int i = 0; i < names.size(); i++) {
      index.append(i == 0 ? "" : ", ").append('"').append(names.get(i)).append("\": \"")
          .append(i < first.size() ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
    }
    Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX), index.append("}}").toString());
    return dir;
  }

  @Test
  void shardedBf16WithAStaleShardScoresAsTheSingleFp32File() throws Exception {
    Path dir = sharded("sharded");
    // a stale shard of another revision: other values for a tensor the index puts elsewhere
    SafetensorsWriter stale = new SafetensorsWriter();
    String embed = "model.embed_tokens.weight";
    stale.add(embed, shapes.get(embed), new float[weights.get(embed).length]);
    stale.write(dir.resolve("model-00001-of-00003.safetensors"), Map.of());
    try (DjlEngine a = DjlEngine.load(single, 2048); DjlEngine b = DjlEngine.load(dir, 2048)) {
      List<LoglikelihoodResult> expected = a.loglikelihood(REQUESTS);
      List<LoglikelihoodResult> got = b.loglikelihood(REQUESTS);
      for (int i = 0; i < REQUESTS.size(); i++) {
        assertEquals(expected.get(i).logLikelihood(), got.get(i).logLikelihood(), 0.0, "request " + i);
      }
    }
    // fp16 compute from bf16 shards (no fp32 tensor in between) stays close to fp32
    try (DjlEngine a = DjlEngine.load(single, 2048);
         DjlEngine h = DjlEngine.load(dir, ModelSpec.FORMAT_HF_LLAMA, "fp16", 2048, ai.djl.Device.cpu())) {
      assertEquals(a.loglikelihood(REQUESTS).get(0).logLikelihood(), h.loglikelihood(REQUESTS).get(0).logLikelihood(), 0.05);
    }
  }

  @Test
  void aMissingShardIsNamed() throws Exception {
    Path dir = sharded("missing");
    Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("model-00002-of-00002.safetensors") + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("is missing"), e.getMessage());
  }

  @Test
  void aTensorTheIndexPutsInTheWrongShardIsNamed() throws Exception {
    Path dir = sharded("wrong-shard");
    Path index = dir.resolve(SafetensorsCheckpoint.INDEX);
    Files.writeString(index, Files.readString(index).replace("\"model.norm.weight\": \"model-00002-of-00002.safetensors\"",
        "\"model.norm.weight\": \"model-00001-of-00002.safetensors\""));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir));
    assertEquals(dir.resolve("model-00001-of-00002.safetensors") + ": model.norm.weight: tensor listed for this shard by "
        + SafetensorsCheckpoint.INDEX + " is not in it", e.getMessage());
  }

  @Test
  void aTensorInTwoFilesWithoutAnIndexIsAnError() throws Exception {
    Path dir = sharded("duplicate");
    Files.delete(dir.resolve(SafetensorsCheckpoint.INDEX));
    SafetensorsWriter stale = new SafetensorsWriter();
    stale.add("model.norm.weight", shapes.get("model.norm.weight"), weights.get("model.norm.weight"));
    stale.write(dir.resolve("model-00003-of-00003.safetensors"), Map.of());
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("model-00003-of-00003.safetensors") + ": model.norm.weight: tensor is also in "
        + "model-00002-of-00002.safetensors"), e.getMessage());
  }
}

package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights left as views of the mapped checkpoint compute exactly what copies compute, wherever the file puts them
 * (issue 26: loading without a copy, as transformers does). safetensors pads its header to 8 bytes only, so a real
 * file's tensors sit at any multiple of 8 mod 64; on this project's CPU an fp32 one-row product gives other bits at
 * 8 mod 16, which {@link WeightMapping} measures and the loader then copies. The checkpoint is re-padded here to each
 * offset (and to odd ones, never mapped) and the logits' float bits of one-row, three-row and cached passes compared.
 */
class WeightMappingTest {
  private static final String CONFIG = """
      {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 48586, "hidden_size": 256,
       "intermediate_size": 704, "num_hidden_layers": 2, "num_attention_heads": 8, "num_key_value_heads": 2,
       "max_position_embeddings": 2048, "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": false,
       "bos_token_id": 1, "eos_token_id": 7}
      """;

  @Test
  void mappedFloat32WeightsGiveTheBitsOfCopiesAtEveryFileOffset(@TempDir Path tmp) throws Exception {
    check(tmp, DataType.FLOAT32, new int[] {0, 8, 16, 24, 40, 48, 56, 3, 62}, List.of("3", "62"));
  }

  @Test
  void mappedFloat16WeightsGiveTheBitsOfCopiesAtEveryFileOffset(@TempDir Path tmp) throws Exception {
    check(tmp, DataType.FLOAT16, new int[] {0, 2, 8, 16, 24, 48, 58, 3}, List.of("3"));
  }

  /** At each offset: copied and mapped loads give the same logits; some offset is mapped; {@code neverMapped} are copied. */
  private static void check(Path tmp, DataType dtype, int[] offsets, List<String> neverMapped) throws Exception {
    Path dir = tmp.resolve("model");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), CONFIG);
    RandomCheckpoint.writeWeights(dir, 20261208L, 0.05);
    if (dtype == DataType.FLOAT16) {
      toFloat16(dir.resolve("model.safetensors"));
    }
    boolean someMapped = false;
    List<String> copiedOffsets = new ArrayList<>();
    for (int offset : offsets) {
      padHeader(dir.resolve("model.safetensors"), offset);
      SafetensorsFile file = SafetensorsFile.open(dir.resolve("model.safetensors"));
      assertEquals(offset, file.dataStart() % 64);
      try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
        List<byte[]> copied = logitBits(DecoderModel.load(dir, m, dtype, List.of(), false), m);
        List<byte[]> mapped = logitBits(DecoderModel.load(dir, m, dtype, List.of(), true), m);
        for (int i = 0; i < copied.size(); i++) {
          assertArrayEquals(copied.get(i), mapped.get(i), "logits of pass " + i + " with tensors at " + offset + " mod 64");
        }
      }
      try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch"); TensorLoader loader = new TensorLoader()) {
        String name = file.tensors().keySet().iterator().next();
        try (NDArray t = loader.load(file, name, m, dtype)) {
          if (loader.bytesMapped() > 0) {
            someMapped = true;
          } else {
            copiedOffsets.add(Integer.toString(offset));
          }
        }
      }
    }
    assertTrue(someMapped, "no offset was mapped (copied at " + copiedOffsets + ")");
    assertTrue(copiedOffsets.containsAll(neverMapped), dtype + " off its own alignment is copied: " + copiedOffsets);
  }

  /** The F32 checkpoint stored as F16 (PyTorch's rounding), the header's offsets halved. */
  private static void toFloat16(Path file) throws Exception {
    SafetensorsFile f32 = SafetensorsFile.open(file);
    byte[] bytes = Files.readAllBytes(file);
    StringBuilder header = new StringBuilder("{");
    java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
    for (Map.Entry<String, SafetensorsFile.TensorInfo> e : new java.util.TreeMap<>(f32.tensors()).entrySet()) {
      SafetensorsFile.TensorInfo t = e.getValue();
      long begin = data.size();
      ByteBuffer in = ByteBuffer.wrap(bytes, (int) (f32.dataStart() + t.begin()), (int) (4 * t.elementCount())).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer out = ByteBuffer.allocate((int) (2 * t.elementCount())).order(ByteOrder.LITTLE_ENDIAN);
      for (long i = 0; i < t.elementCount(); i++) {
        out.putShort(HalfFloat.fromFloat(in.getFloat()));
      }
      data.write(out.array());
      header.append(header.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":{\"dtype\":\"F16\",\"shape\":")
          .append(java.util.Arrays.toString(t.shape()).replace(" ", "")).append(",\"data_offsets\":[").append(begin).append(',')
          .append(data.size()).append("]}");
    }
    byte[] json = header.append('}').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(json.length).put(json).put(data.toByteArray());
    Files.write(file, out.array());
  }

  @Test
  void aMappedCheckpointReplacedByARenameKeepsScoringTheLoadedWeights(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("model");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), CONFIG);
    Files.copy(dev.kansoku.TestPaths.TINY_MODEL.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    RandomCheckpoint.writeWeights(dir, 1L, 0.05);
    padHeader(dir.resolve("model.safetensors"), 0);
    LoglikelihoodRequest request = new LoglikelihoodRequest("東京は日本の", "首都です", false);
    try (DjlEngine engine = DjlEngine.load(dir, 2048)) {
      double before = engine.loglikelihood(List.of(request)).get(0).logLikelihood();
      // SafetensorsWriter writes a temporary file and renames it over the old one, as a re-download or ModelStaging does
      RandomCheckpoint.writeWeights(dir, 2L, 0.05);
      assertEquals(before, engine.loglikelihood(List.of(request)).get(0).logLikelihood(), 0.0, "the loaded weights stay");
      try (DjlEngine reloaded = DjlEngine.load(dir, 2048)) {
        assertTrue(before != reloaded.loglikelihood(List.of(request)).get(0).logLikelihood(), "the new file is other weights");
      }
    }
  }

  /** Logits of a one-row pass, a three-row left-padded pass and a one-token cached step, as raw float bits. */
  private static List<byte[]> logitBits(DecoderModel model, NDManager m) {
    try (model) {
      List<byte[]> out = new ArrayList<>();
      out.add(model.logits(model.hiddenStates(m.create(new long[] {17}, new Shape(1, 1)), m.create(new long[] {1}, new Shape(1, 1)),
          m.create(new long[] {0}, new Shape(1, 1)))).toByteArray());
      long[] ids = new long[3 * 6];
      long[] mask = new long[3 * 6];
      long[] positions = new long[3 * 6];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = (i * 7919L + 13) % 40000;
        mask[i] = i == 0 ? 0 : 1;
        positions[i] = i < 6 ? Math.max(0, i - 1) : i % 6;
      }
      KvCache cache = model.newCache();
      NDArray hidden = model.hiddenStates(m.create(ids, new Shape(3, 6)), m.create(mask, new Shape(3, 6)),
          m.create(positions, new Shape(3, 6)), cache);
      out.add(model.logits(hidden.reshape(18, -1)).toByteArray());
      long[] stepMask = new long[3 * 7];
      java.util.Arrays.fill(stepMask, 1);
      stepMask[0] = 0;
      NDArray step = model.hiddenStates(m.create(new long[] {5, 9, 11}, new Shape(3, 1)), m.create(stepMask, new Shape(3, 7)),
          m.create(new long[] {5, 6, 6}, new Shape(3, 1)), cache);
      out.add(model.logits(step.reshape(3, -1)).toByteArray());
      return out;
    }
  }

  /** Rewrites the file's header padded with spaces so that its data starts at {@code offset} mod 64. */
  static void padHeader(Path file, int offset) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    long length = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String header = new String(bytes, 8, (int) length, java.nio.charset.StandardCharsets.UTF_8).stripTrailing();
    byte[] json = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int padded = json.length;
    while ((8 + padded) % 64 != offset) {
      padded++;
    }
    ByteBuffer out = ByteBuffer.allocate(8 + padded + bytes.length - 8 - (int) length).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded).put(json);
    for (int i = json.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    out.put(bytes, 8 + (int) length, bytes.length - 8 - (int) length);
    Files.write(file, out.array());
  }
}

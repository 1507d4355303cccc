package dev.kansoku.tooling;

import dev.kansoku.inference.ModelConfig;
import dev.kansoku.inference.SafetensorsCheckpoint;
import dev.kansoku.inference.SafetensorsWriter;
import dev.kansoku.inference.TensorSpec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a random-weight checkpoint with a published model's exact tensor names, shapes and storage: bf16
 * safetensors shards with {@code model.safetensors.index.json}, as Hugging Face serves large models, from that
 * model's {@code config.json} (optionally with fewer layers: embeddings and heads stay full size). Tensors are
 * generated and written a chunk at a time, so a 70B-shaped embedding needs no more memory than a small one.
 */
public final class ShapeTrueCheckpoint {
  private static final int CHUNK = 1 << 22;

  /** What was written. */
  public record Written(Path dir, long bytes, int tensors, int shards, TensorSpec largest) {
    static Written of(Path dir, List<TensorSpec> specs, int shards) {
      return new Written(dir, specs.stream().mapToLong(s -> 2 * s.elements()).sum(), specs.size(), shards,
          specs.stream().max(java.util.Comparator.comparingLong(TensorSpec::elements)).orElseThrow());
    }
  }

  private ShapeTrueCheckpoint() {}

  /**
   * @param layers number of decoder layers to keep (0 = as in config.json)
   * @param tokenizer a tokenizer.json to place beside the weights
   */
  public static Written write(Path config, Path tokenizer, Path out, int layers, int shards, long seed) throws IOException {
    return write(config, tokenizer, out, layers, shards, seed, 0.02);
  }

  /**
   * The same with weights of standard deviation {@code std} (transformers' initializer_range, 0.02, leaves nearly uniform
   * next-token distributions; a comparison with a reference wants sharper ones).
   */
  public static Written write(Path config, Path tokenizer, Path out, int layers, int shards, long seed, double std) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode cfg = (ObjectNode) json.readTree(config.toFile());
    if (layers > 0) {
      // the architecture names its layer-count key (GPT2Config: n_layer)
      cfg.put(ModelConfig.read(config).implementation().layerCountKey(), layers);
    }
    Files.createDirectories(out);
    Files.writeString(out.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
    Files.copy(tokenizer, out.resolve("tokenizer.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ModelConfig c = ModelConfig.read(out.resolve("config.json"));
    List<TensorSpec> specs = TensorSpec.of(c);
    long total = specs.stream().mapToLong(s -> 2 * s.elements()).sum();
    // contiguous shards of about equal size (at most `shards`: a tensor is never split), numbered as transformers does
    List<List<TensorSpec>> parts = new ArrayList<>();
    long target = (total + shards - 1) / shards;
    long filled = 0;
    for (TensorSpec s : specs) {
      if (parts.isEmpty() || (filled >= target && parts.size() < shards)) {
        parts.add(new ArrayList<>());
        filled = 0;
      }
      parts.get(parts.size() - 1).add(s);
      filled += 2 * s.elements();
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    ObjectNode index = json.createObjectNode();
    index.putObject("metadata").put("total_size", total);
    ObjectNode weightMap = index.putObject("weight_map");
    for (int i = 0; i < parts.size(); i++) {
      String name = String.format("model-%05d-of-%05d.safetensors", i + 1, parts.size());
      writeShard(out.resolve(name), parts.get(i), rnd, json, std);
      for (TensorSpec s : parts.get(i)) {
        weightMap.put(s.name(), name);
      }
    }
    Files.writeString(out.resolve(SafetensorsCheckpoint.INDEX), json.writerWithDefaultPrettyPrinter().writeValueAsString(index));
    return Written.of(out, specs, parts.size());
  }

  /**
   * What an earlier {@link #write} left in {@code dir} (its config.json and index), to load the same weights again.
   *
   * @throws IOException naming the file when the folder holds no shape-true checkpoint
   */
  public static Written describe(Path dir) throws IOException {
    Path index = dir.resolve(SafetensorsCheckpoint.INDEX);
    if (!Files.isRegularFile(index) || !Files.isRegularFile(dir.resolve("config.json"))) {
      throw new IOException(dir + ": no config.json and " + SafetensorsCheckpoint.INDEX + " to reuse (write the checkpoint first)");
    }
    List<TensorSpec> specs = TensorSpec.of(ModelConfig.read(dir.resolve("config.json")));
    long shards = new ObjectMapper().readTree(index.toFile()).path("weight_map").properties().stream()
        .map(e -> e.getValue().asText()).distinct().count();
    return Written.of(dir, specs, (int) shards);
  }

  private static void writeShard(Path file, List<TensorSpec> specs, SplittableRandom rnd, ObjectMapper json, double std)
      throws IOException {
    ObjectNode header = json.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (TensorSpec s : specs) {
      ObjectNode t = header.putObject(s.name());
      t.put("dtype", "BF16");
      var shape = t.putArray("shape");
      for (long d : s.shape()) {
        shape.add(d);
      }
      t.putArray("data_offsets").add(offset).add(offset + 2 * s.elements());
      offset += 2 * s.elements();
    }
    byte[] h = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
      writeFully(ch, ByteBuffer.wrap(h));
      ByteBuffer buf = ByteBuffer.allocateDirect(2 * CHUNK).order(ByteOrder.LITTLE_ENDIAN);
      // uniform on ±std·√3; norms are ones
      double a = std * Math.sqrt(3.0);
      short one = SafetensorsWriter.toBfloat16(1f);
      for (TensorSpec s : specs) {
        for (long left = s.elements(); left > 0; ) {
          int n = (int) Math.min(CHUNK, left);
          buf.clear();
          for (int i = 0; i < n; i++) {
            buf.putShort(s.norm() ? one : SafetensorsWriter.toBfloat16((float) ((rnd.nextDouble() * 2 - 1) * a)));
          }
          buf.flip();
          writeFully(ch, buf);
          left -= n;
        }
      }
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}

package dev.kansoku.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes tensors in the safetensors format, stored as F32 or BF16 (used to produce the bundled model's weights and
 * checkpoints shaped like published downloads).
 */
public final class SafetensorsWriter {
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Map<String, float[]> data = new LinkedHashMap<>();

  public SafetensorsWriter add(String name, long[] shape, float[] values) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != values.length) {
      throw new IllegalArgumentException(name + ": shape holds " + n + " values, got " + values.length);
    }
    shapes.put(name, shape);
    data.put(name, values);
    return this;
  }

  /** Writes atomically: a temporary file renamed into place, so a reader never sees half a file. */
  public void write(Path target, Map<String, String> metadata) throws IOException {
    write(target, metadata, "F32");
  }

  /** As {@link #write(Path, Map)}, storing every tensor as {@code dtype}: F32, or BF16 (rounded to nearest even). */
  public void write(Path target, Map<String, String> metadata, String dtype) throws IOException {
    if (!dtype.equals("F32") && !dtype.equals("BF16")) {
      throw new IllegalArgumentException("dtype must be F32 or BF16, not " + dtype);
    }
    int width = dtype.equals("F32") ? 4 : 2;
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", dtype);
      ArrayNode shape = t.putArray("shape");
      for (long d : e.getValue()) {
        shape.add(d);
      }
      long size = (long) width * data.get(e.getKey()).length;
      t.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
    }
    // padded with spaces (as the safetensors library pads to 8) so that the data, and so every tensor of a whole number of
    // 64-byte lines, starts 64-byte aligned: a CPU engine then maps fp32 weights instead of copying them (WeightMapping)
    byte[] text = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    byte[] headerBytes = java.util.Arrays.copyOf(text, text.length + Math.floorMod(-(8 + text.length), 64));
    java.util.Arrays.fill(headerBytes, text.length, headerBytes.length, (byte) ' ');
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
      out.write(headerBytes);
      for (float[] values : data.values()) {
        ByteBuffer buf = ByteBuffer.allocate(width * values.length).order(ByteOrder.LITTLE_ENDIAN);
        if (width == 4) {
          buf.asFloatBuffer().put(values);
        } else {
          for (float v : values) {
            buf.putShort(toBfloat16(v));
          }
        }
        out.write(buf.array());
      }
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** float32 → bfloat16, rounded to nearest even (as torch's conversion). */
  public static short toBfloat16(float v) {
    int bits = Float.floatToRawIntBits(v);
    if (Float.isNaN(v)) {
      return (short) 0x7fc0;
    }
    int lsb = (bits >>> 16) & 1;
    return (short) ((bits + 0x7fff + lsb) >>> 16);
  }

  /** The float32 value a bfloat16 holds. */
  public static float fromBfloat16(short b) {
    return Float.intBitsToFloat((b & 0xffff) << 16);
  }
}

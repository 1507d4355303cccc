package dev.kansoku.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reader of the safetensors format as published by Hugging Face: an 8-byte little-endian header length,
 * a JSON header mapping tensor names to {dtype, shape, data_offsets}, then the raw little-endian data.
 * The header is validated against the file size on open, so a truncated download fails here, naming the
 * file and the tensor, instead of deep inside a forward pass.
 */
public final class SafetensorsFile {
  /** One tensor's entry in the header. Offsets are relative to the start of the data section. */
  public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
    public long elementCount() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path path;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path path, long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.path = path;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Opens and validates the header; reads no tensor data. */
  public static SafetensorsFile open(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      if (fileSize < 8) {
        throw new ModelFormatException(path, "header", "file is " + fileSize + " bytes, shorter than the 8-byte header length");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > 100_000_000L || 8 + headerLen > fileSize) {
        throw new ModelFormatException(path, "header", "header length " + headerLen + " does not fit in a file of " + fileSize + " bytes (truncated?)");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8);
      JsonNode root;
      try {
        root = JSON.readTree(header.array());
      } catch (IOException e) {
        throw new ModelFormatException(path, "header", "header is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
      }
      long dataStart = 8 + headerLen;
      long dataSize = fileSize - dataStart;
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        TensorInfo info = parseEntry(path, e.getKey(), e.getValue());
        if (info.end() > dataSize) {
          throw new ModelFormatException(path, info.name(), "tensor data ends at byte " + info.end()
              + " but the data section has only " + dataSize + " bytes (truncated file?)");
        }
        tensors.put(info.name(), info);
      }
      return new SafetensorsFile(path, dataStart, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }
  }

  private static TensorInfo parseEntry(Path path, String name, JsonNode node) {
    JsonNode dtype = node.get("dtype");
    JsonNode shape = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (dtype == null || shape == null || offsets == null || !shape.isArray() || offsets.size() != 2) {
      throw new ModelFormatException(path, name, "entry needs dtype, shape and data_offsets[2]");
    }
    long[] dims = new long[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.get(i).asLong();
    }
    TensorInfo info = new TensorInfo(name, dtype.asText(), dims, offsets.get(0).asLong(), offsets.get(1).asLong());
    long expected = info.elementCount() * bytesPerElement(path, info);
    if (info.end() - info.begin() != expected) {
      throw new ModelFormatException(path, name, "data_offsets span " + (info.end() - info.begin())
          + " bytes but dtype " + info.dtype() + " and shape need " + expected);
    }
    return info;
  }

  static int bytesPerElement(Path path, TensorInfo info) {
    return switch (info.dtype()) {
      case "F32", "I32" -> 4;
      case "F16", "BF16", "I16" -> 2;
      case "F64", "I64" -> 8;
      case "I8", "U8", "BOOL" -> 1;
      default -> throw new ModelFormatException(path, info.name(), "unsupported dtype " + info.dtype());
    };
  }

  public Path path() {
    return path;
  }

  /** Byte offset of the data section (tensor offsets count from here). */
  public long dataStart() {
    return dataStart;
  }

  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Reads one floating-point tensor as float32 values. F16 and BF16 are widened exactly, so a bf16
   * checkpoint computes in fp32 on CPU (the reduced-precision path belongs to the engine issue).
   */
  public float[] readFloats(String name) throws IOException {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new ModelFormatException(path, name, "tensor not found in this file");
    }
    long n = info.elementCount();
    if (n > Integer.MAX_VALUE) {
      throw new ModelFormatException(path, name, "tensor has " + n + " elements, more than one Java array holds");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) (info.end() - info.begin())).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      readFully(ch, buf, dataStart + info.begin());
    }
    buf.flip();
    float[] out = new float[(int) n];
    switch (info.dtype()) {
      case "F32" -> buf.asFloatBuffer().get(out);
      case "F16" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = halfToFloat(buf.getShort());
        }
      }
      case "BF16" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
        }
      }
      default -> throw new ModelFormatException(path, name, "dtype " + info.dtype() + " is not a floating-point weight");
    }
    return out;
  }

  /** IEEE 754 binary16 to binary32 (Float.float16ToFloat arrives only in Java 20). */
  static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float magnitude = mant * 0x1p-24f; // subnormal: mant * 2^-24, exact in float32
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + pos);
      }
      pos += n;
    }
  }
}

package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tensor above 2^29 elements (Qwen2-7B's embedding has 152,064 × 3,584 = 545 M) loads, in bf16 storage widened to
 * fp32: 2^31 + 4 MB in memory, which one Java buffer cannot hold (issue 15: "capacity < 0" from
 * allocateDirect(size × 4)). Values are checked at the first and last row and on both sides of chunk boundaries.
 */
class TensorLoaderTest {
  private static final long ROWS = 131_104;
  private static final long COLS = 4_096; // 537,001,984 elements > 2^29 = 536,870,912
  private static final int COLS_INT = (int) COLS;

  /** The bf16 value stored at element (row, col): small integers and halves, exact in bf16, fp16 and fp32. */
  private static float value(long row, long col) {
    return ((row * 31 + col * 7) % 251) * 0.5f - 60f;
  }

  @Test
  void aTensorOverTwoToTheTwentyNineElementsLoads(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(availableMemoryGb() >= 6, "needs 6 GB of free memory (2 GB of fp32 weights + the file's pages)");
    Path file = tmp.resolve("big.safetensors");
    String header = "{\"model.embed_tokens.weight\":{\"dtype\":\"BF16\",\"shape\":[" + ROWS + "," + COLS
        + "],\"data_offsets\":[0," + ROWS * COLS * 2 + "]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
      ch.write(ByteBuffer.wrap(h));
      ByteBuffer rows = ByteBuffer.allocate(COLS_INT * 2 * 1024).order(ByteOrder.LITTLE_ENDIAN);
      for (long r = 0; r < ROWS; r++) {
        for (long c = 0; c < COLS; c++) {
          rows.putShort(SafetensorsWriter.toBfloat16(value(r, c)));
        }
        if (!rows.hasRemaining() || r == ROWS - 1) {
          rows.flip();
          while (rows.hasRemaining()) {
            ch.write(rows);
          }
          rows.clear();
        }
      }
    }
    SafetensorsFile st = SafetensorsFile.open(file);
    long rowsPerChunk = TensorLoader.CHUNK_ELEMENTS / COLS;
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch"); TensorLoader loader = new TensorLoader()) {
      NDArray t = loader.load(st, "model.embed_tokens.weight", m, DataType.FLOAT32);
      assertEquals(new ai.djl.ndarray.types.Shape(ROWS, COLS), t.getShape());
      for (long r : new long[] {0, rowsPerChunk - 1, rowsPerChunk, 2 * rowsPerChunk + 1, ROWS / 2, ROWS - 1}) {
        float[] row = t.get(r).toFloatArray();
        for (int c : new int[] {0, 1, 2047, COLS_INT - 1}) {
          assertEquals(value(r, c), row[c], 0.0, "element (" + r + ", " + c + ")");
        }
      }
      assertEquals(ROWS * COLS * 2, loader.bytesRead());
    }
  }

  /**
   * GPT-2's Conv1D weights load transposed ([in, out] stored, [out, in] held) in fp32 and fp16 across chunk
   * boundaries; and the in-place bf16 → fp16 conversion gives the bits of PyTorch's cast of the widened values.
   */
  @Test
  void aStoredInOutWeightLoadsTransposedAndHalvesAsPyTorchCasts(@TempDir Path tmp) throws Exception {
    long rows = 4_100;
    long cols = 8_192; // 33.6 M elements: three chunks of 2,048 rows
    Path file = tmp.resolve("conv1d.safetensors");
    String header = "{\"c_fc.weight\":{\"dtype\":\"BF16\",\"shape\":[" + rows + "," + cols + "],\"data_offsets\":[0," + rows * cols * 2 + "]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
    short[] stored = new short[(int) (rows * cols)];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
      ch.write(ByteBuffer.wrap(h));
      ByteBuffer data = ByteBuffer.allocate(stored.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < stored.length; i++) {
        stored[i] = SafetensorsWriter.toBfloat16((float) (rnd.nextGaussian() * 0.02));
        data.putShort(stored[i]);
      }
      data.flip();
      while (data.hasRemaining()) {
        ch.write(data);
      }
    }
    SafetensorsFile st = SafetensorsFile.open(file);
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch"); TensorLoader loader = new TensorLoader()) {
      NDArray wide = loader.load(st, "c_fc.weight", m, DataType.FLOAT32);
      float[] exact = wide.toFloatArray();
      for (int i = 0; i < stored.length; i += 997) {
        assertEquals(Float.intBitsToFloat(stored[i] << 16), exact[i], 0.0, "fp32 element " + i);
      }
      // fp16 in place vs PyTorch's cast of the exact fp32 values: every element, bit for bit
      java.nio.ShortBuffer ours = loader.load(st, "c_fc.weight", m, DataType.FLOAT16).toByteBuffer().order(ByteOrder.nativeOrder()).asShortBuffer();
      java.nio.ShortBuffer torch = wide.toType(DataType.FLOAT16, false).toByteBuffer().order(ByteOrder.nativeOrder()).asShortBuffer();
      assertEquals(torch, ours, "bf16 → fp16 in place equals PyTorch's cast");
      for (DataType dtype : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
        NDArray t = loader.loadTransposed(st, "c_fc.weight", m, dtype);
        assertEquals(new ai.djl.ndarray.types.Shape(cols, rows), t.getShape());
        assertEquals(wide.transpose().toType(dtype, false).toType(DataType.FLOAT32, false).toByteBuffer(),
            t.toType(DataType.FLOAT32, false).toByteBuffer(), dtype + ": the transpose of the stored weight");
      }
    }
  }

  private static long availableMemoryGb() throws java.io.IOException {
    for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemAvailable:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) >> 20;
      }
    }
    return 0;
  }
}

package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Creates weight tensors from safetensors files at any size. The data is memory-mapped and taken in chunks of
 * whole rows (at most {@link #CHUNK_ELEMENTS} elements), each converted on its own to the compute dtype and copied
 * into the destination tensor, so no Java array or buffer ever holds a whole tensor: a 152,064 × 8,192
 * embedding (1.2 G elements, 5 GB in fp32) is loaded like a norm vector, host memory stays within the
 * destination plus one chunk, and Java's direct-memory cap (-Xmx by default) only ever holds the one reusable
 * chunk buffer that widens bf16. On a CPU the data goes straight into the destination tensor's memory: same-dtype
 * tensors by positional reads of the file, conversions from the mapping (bf16 → fp32 by positional reads too), all
 * spread over the common pool's threads. Elsewhere F32 and F16 chunks are handed to PyTorch as views of the mapped
 * file (no Java copy); BF16 is widened exactly to fp32 in Java (its bits are fp32's upper half) and then cast when the compute
 * dtype is fp16, so bf16 → fp16 never holds a whole fp32 tensor.
 *
 * <p>A CPU tensor stored in the compute dtype (F32 as fp32, F16 as fp16) is not copied at all where {@link WeightMapping}
 * measured that its file offset gives an aligned copy's bits: it stays a view of the read-only mapping, as
 * transformers' {@code from_pretrained} leaves safetensors weights, so a load costs no copy and executors on one machine
 * share the page cache. Such a checkpoint must not be rewritten in place while an engine holds it (replacing it by a
 * rename, as {@code ModelStaging} does, is safe: the mapping keeps the old file); every other tensor ends in memory
 * PyTorch owns.
 */
final class TensorLoader implements AutoCloseable {
  /** Elements per chunk: 16 M (64 MB in fp32). */
  static final long CHUNK_ELEMENTS = 16L << 20;
  private ByteBuffer widenBuffer;
  private static final int BLOCK = 1 << 16;
  private final short[] shorts = new short[BLOCK];
  private final short[] halves = new short[BLOCK];
  private long bytesRead;
  private long bytesMapped;
  /** The current tensor's mappings, unmapped once its data is copied (else they stay resident until a GC). */
  private final java.util.List<MappedByteBuffer> mappings = new java.util.ArrayList<>();

  /** Creates and fills bfloat16 tensors (null: bf16 is not asked for). */
  private final Bfloat16Ops bfloat16;

  /** Whether CPU weights of the compute dtype may stay views of the mapped file ({@link WeightMapping}). */
  private final boolean mapWeights;

  TensorLoader() {
    this(null, true);
  }

  TensorLoader(Bfloat16Ops bfloat16, boolean mapWeights) {
    this.bfloat16 = bfloat16;
    this.mapWeights = mapWeights;
  }

  /** {@code name} from {@code file} as a tensor of {@code dtype} on {@code manager}'s device. */
  NDArray load(SafetensorsFile file, String name, NDManager manager, DataType dtype) throws IOException {
    Rows rows = rows(file, name, dtype == DataType.BFLOAT16);
    try (FileChannel ch = FileChannel.open(file.path(), StandardOpenOption.READ)) {
      if (dtype == DataType.BFLOAT16) {
        return fillByChunks(ch, file, rows, manager, DataType.FLOAT32, bfloat16().empty(new Shape(rows.info().shape()), manager),
            (dest, part, from) -> bfloat16.fillRows(dest, part, from));
      }
      if (mapWeights && mapsAsView(file, rows.info(), manager, dtype)) {
        return mappedView(ch, file, rows.info(), manager, dtype);
      }
      if (writesInPlace(rows.info().dtype(), manager, dtype)) {
        return loadInPlace(ch, file, rows.info(), rows.count(), rows.perChunk(), rows.perRow(), rows.width(), manager, dtype);
      }
      if (rows.count() <= rows.perChunk()) {
        NDArray whole = chunk(ch, file, rows.info(), 0, rows.count(), rows.perRow(), rows.width(), manager, dtype, true);
        unmap();
        return whole;
      }
      return fillByChunks(ch, file, rows, manager, dtype, manager.create(new Shape(rows.info().shape()), dtype),
          (dest, part, from) -> dest.set(new NDIndex(from + ":" + (from + part.getShape().get(0))), part));
    }
  }

  /**
   * A 2-D tensor stored [rows, cols] as a contiguous [cols, rows] tensor (GPT-2's Conv1D weights held as Linear
   * ones). The destination is allocated first and each chunk of rows is converted and copied, transposed, into its
   * columns, so the temporaries are one chunk in size and the same size each time (they do not fragment the heap).
   */
  NDArray loadTransposed(SafetensorsFile file, String name, NDManager manager, DataType dtype) throws IOException {
    Rows rows = rows(file, name, true);
    Shape transposed = new Shape(rows.perRow(), rows.count());
    try (FileChannel ch = FileChannel.open(file.path(), StandardOpenOption.READ)) {
      if (dtype == DataType.BFLOAT16) {
        return fillByChunks(ch, file, rows, manager, DataType.FLOAT32, bfloat16().empty(transposed, manager),
            (dest, part, from) -> bfloat16.fillColumns(dest, part, from));
      }
      return fillByChunks(ch, file, rows, manager, dtype, manager.create(transposed, dtype), (dest, part, from) -> {
        try (NDArray t = part.transpose()) {
          dest.set(new NDIndex(":, " + from + ":" + (from + part.getShape().get(0))), t);
        }
      });
    }
  }

  /** How a stored tensor is walked in chunks of whole rows (at most {@link #CHUNK_ELEMENTS} elements each). */
  private record Rows(SafetensorsFile.TensorInfo info, int width, long count, long perRow, long perChunk) {}

  /**
   * {@code name}'s rows, checked once for every loader: present, floating point, one row under 2 GB, and with
   * {@code matrix} two-dimensional (bf16 weights and transposed ones are matrices).
   */
  private static Rows rows(SafetensorsFile file, String name, boolean matrix) throws IOException {
    SafetensorsFile.TensorInfo info = file.tensors().get(name);
    if (info == null) {
      throw new ModelFormatException(file.path(), name, "tensor not found in this file");
    }
    int width = SafetensorsFile.bytesPerElement(file.path(), info);
    if (!info.dtype().equals("F32") && !info.dtype().equals("F16") && !info.dtype().equals("BF16")) {
      throw new ModelFormatException(file.path(), name, "dtype " + info.dtype() + " is not a floating-point weight");
    }
    long[] shape = info.shape();
    if (matrix && shape.length != 2) {
      throw new ModelFormatException(file.path(), name, "expected a 2-D weight, found shape " + java.util.Arrays.toString(shape));
    }
    long rows = shape.length == 0 ? 1 : shape[0];
    long perRow = rows == 0 ? 0 : info.elementCount() / rows;
    if (perRow * width > Integer.MAX_VALUE) {
      throw new ModelFormatException(file.path(), name, "one row of " + perRow + " elements exceeds 2 GB");
    }
    return new Rows(info, width, rows, perRow, Math.max(1, CHUNK_ELEMENTS / Math.max(1, perRow)));
  }

  /** Where a chunk of rows, starting at stored row {@code from}, goes in the destination. */
  @FunctionalInterface
  private interface ChunkSink {
    void put(NDArray dest, NDArray part, long from);
  }

  /**
   * Fills {@code dest} a chunk of rows at a time, each chunk read as {@code chunkType} (possibly a view of the mapping
   * or of the reused buffer, so {@code sink} copies it at once) and unmapped after; {@code dest} is closed on failure.
   */
  private NDArray fillByChunks(FileChannel ch, SafetensorsFile file, Rows rows, NDManager manager, DataType chunkType, NDArray dest,
                               ChunkSink sink) throws IOException {
    try {
      for (long r = 0; r < rows.count(); r += rows.perChunk()) {
        long n = Math.min(rows.perChunk(), rows.count() - r);
        try (NDArray part = chunk(ch, file, rows.info(), r, n, rows.perRow(), rows.width(), manager, chunkType, false)) {
          sink.put(dest, part, r);
        }
        unmap();
      }
    } catch (RuntimeException | IOException e) {
      dest.close();
      throw e;
    }
    return dest;
  }

  private Bfloat16Ops bfloat16() {
    if (bfloat16 == null) {
      throw new IllegalStateException("bf16 weights need a TensorLoader made with Bfloat16Ops");
    }
    return bfloat16;
  }

  /** Maps {@code elements} stored elements from row {@code fromRow} (little-endian), to be unmapped by {@link #unmap}. */
  private MappedByteBuffer map(FileChannel ch, SafetensorsFile file, SafetensorsFile.TensorInfo info, long fromRow, long elements,
                               long perRow, int width) throws IOException {
    bytesRead += elements * width;
    return mapForConversion(ch, file.dataStart() + info.begin() + fromRow * perRow * width, elements * width);
  }

  /** The tensor as a view of a read-only mapping of its bytes; the tensor keeps the buffer (so the mapping) reachable. */
  private NDArray mappedView(FileChannel ch, SafetensorsFile file, SafetensorsFile.TensorInfo info, NDManager manager, DataType dtype)
      throws IOException {
    long bytes = info.end() - info.begin();
    bytesRead += bytes;
    bytesMapped += bytes;
    MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, file.dataStart() + info.begin(), bytes);
    return manager.create(mapped.order(ByteOrder.LITTLE_ENDIAN), new Shape(info.shape()), dtype);
  }

  /**
   * Whether a tensor stays a view of the read-only mapping: on a CPU, stored in the compute dtype (F32 as fp32, F16 as
   * fp16), under 2 GB (one buffer), and at a file offset where {@link WeightMapping} measured the bits of an aligned
   * copy. Nothing writes to weights, so the read-only pages are never written (a write would fault).
   */
  private static boolean mapsAsView(SafetensorsFile file, SafetensorsFile.TensorInfo info, NDManager manager, DataType dtype) {
    boolean sameType = info.dtype().equals("F32") && dtype == DataType.FLOAT32 || info.dtype().equals("F16") && dtype == DataType.FLOAT16;
    long bytes = info.elementCount() * dtype.getNumOfBytes();
    long position = file.dataStart() + info.begin();
    // an element off its own alignment (a writer that does not pad the header) is never handed to the kernels
    return sameType && !manager.getDevice().isGpu() && bytes > 0 && bytes <= Integer.MAX_VALUE
        && position % dtype.getNumOfBytes() == 0 && WeightMapping.sameBitsAt(position, dtype, manager);
  }

  /**
   * Whether the stored data can be written straight into a CPU tensor's memory: the same dtype (a copy), bf16
   * into fp32 (the exact widening), or bf16 / fp32 into fp16 ({@link HalfFloat}, PyTorch's rounding). fp16 into
   * fp32, bf16 compute, and any device tensor go through PyTorch.
   */
  private static boolean writesInPlace(String stored, NDManager manager, DataType dtype) {
    return !manager.getDevice().isGpu() && (dtype == DataType.FLOAT32 && !stored.equals("F16") || dtype == DataType.FLOAT16);
  }

  /**
   * The destination tensor allocated once, each chunk of rows copied (or widened) from the mapping straight into
   * its memory through a buffer that aliases it ({@code toByteBuffer(true)} on a contiguous CPU tensor): one pass
   * over the data, no intermediate tensor, no direct buffer.
   */
  private NDArray loadInPlace(FileChannel ch, SafetensorsFile file, SafetensorsFile.TensorInfo info, long rows, long rowsPerChunk,
                              long perRow, int width, NDManager manager, DataType dtype) throws IOException {
    NDArray dest = manager.create(new Shape(info.shape()), dtype);
    try {
      for (long r = 0; r < rows; r += rowsPerChunk) {
        long n = Math.min(rowsPerChunk, rows - r);
        long elements = n * perRow;
        long position = file.dataStart() + info.begin() + r * perRow * width;
        boolean whole = r == 0 && n == rows;
        NDArray rowsView = whole ? dest : dest.get(new NDIndex(r + ":" + (r + n)));
        try {
          ByteBuffer target = rowsView.toByteBuffer(true);
          if (target.capacity() != elements * dtype.getNumOfBytes()) {
            throw new IllegalStateException("tensor memory of " + target.capacity() + " bytes for " + elements + " elements");
          }
          target.order(ByteOrder.nativeOrder());
          bytesRead += elements * width;
          if (info.dtype().equals("BF16") && dtype == DataType.FLOAT32) {
            widenFromFile(ch, position, target.asIntBuffer(), (int) elements);
          } else if (info.dtype().equals("BF16")) {
            halveBfloat16Into(mapForConversion(ch, position, elements * width).asShortBuffer(), target.asShortBuffer(), (int) elements);
          } else if (info.dtype().equals("F32") && dtype == DataType.FLOAT16) {
            halveFloatsInto(mapForConversion(ch, position, elements * width).asFloatBuffer(), target.asShortBuffer(), (int) elements);
          } else {
            readInto(ch, target.order(ByteOrder.LITTLE_ENDIAN), position);
          }
        } finally {
          if (!whole) {
            rowsView.close();
          }
        }
        unmap();
      }
    } catch (RuntimeException | IOException e) {
      dest.close();
      throw e;
    }
    return dest;
  }

  /** Bytes one positional read of {@link #readInto} takes (slices are spread over the common pool's threads). */
  private static final int READ_SLICE = 8 << 20;

  /**
   * Stored bytes copied unchanged into tensor memory: positional reads from the file (the kernel copies from its page
   * cache; no page faults on a mapping), slices of 8 MB on the common pool's threads. One thread putting from the
   * mapping read an fp32 checkpoint at 2.0–2.5 GB/s, half of it in page faults on both sides.
   */
  private static void readInto(FileChannel ch, ByteBuffer target, long position) throws IOException {
    int total = target.remaining();
    int slices = (total + READ_SLICE - 1) / READ_SLICE;
    try {
      java.util.stream.IntStream.range(0, slices).parallel().forEach(i -> {
        int from = i * READ_SLICE;
        readFully(ch, target.slice(from, Math.min(READ_SLICE, total - from)), position + from);
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Rows {@code [from, from + n)} as a tensor of {@code dtype}; with {@code owned}, in memory PyTorch owns (a view
   * of the mapping or of the widening buffer is copied), else possibly a view that the caller copies at once.
   */
  private NDArray chunk(FileChannel ch, SafetensorsFile file, SafetensorsFile.TensorInfo info, long from, long n, long perRow,
                        int width, NDManager manager, DataType dtype, boolean owned) throws IOException {
    long[] shape = info.shape().clone();
    if (shape.length > 0) {
      shape[0] = n;
    }
    long elements = n * perRow;
    MappedByteBuffer mapped = map(ch, file, info, from, elements, perRow, width);
    NDArray view;
    DataType stored;
    switch (info.dtype()) {
      case "F32" -> {
        view = manager.create(mapped, new Shape(shape), DataType.FLOAT32);
        stored = DataType.FLOAT32;
      }
      case "F16" -> {
        view = manager.create(mapped, new Shape(shape), DataType.FLOAT16);
        stored = DataType.FLOAT16;
      }
      default -> {
        if (dtype == DataType.FLOAT16) {
          // bf16 → fp16 in Java (PyTorch's rounding): no float32 chunk, no PyTorch temporary to fragment the heap
          view = manager.create(halve(mapped.asShortBuffer(), (int) elements), new Shape(shape), DataType.FLOAT16);
          stored = DataType.FLOAT16;
        } else {
          view = manager.create(widen(mapped.asShortBuffer(), (int) elements), new Shape(shape), DataType.FLOAT32);
          stored = DataType.FLOAT32;
        }
      }
    }
    if (stored != dtype) {
      NDArray cast = view.toType(dtype, false);
      view.close();
      return cast;
    }
    // a CPU tensor made from a direct buffer shares its memory: copy what must outlive the buffer
    if (owned) {
      NDArray copy = view.duplicate();
      view.close();
      return copy;
    }
    return view;
  }

  /**
   * bf16 → fp32 exactly (the 16 bits become the float's upper half), through arrays a block at a time, the blocks spread
   * over the common pool's threads: the fp32 tensor is twice the stored bytes, and one thread widening and first-touching
   * it read bf16 at 350–420 MB/s (TinyLlama 1.1B) where bf16 and fp16 loads reach 1 GB/s.
   */
  private static final ThreadLocal<short[]> WIDEN_IN = ThreadLocal.withInitial(() -> new short[BLOCK]);
  private static final ThreadLocal<int[]> WIDEN_OUT = ThreadLocal.withInitial(() -> new int[BLOCK]);

  /**
   * Fills {@code buffer} from the file at {@code position} (positional reads, safe from several threads); failures are
   * unchecked so that the pool's tasks can throw them (the callers unwrap them).
   */
  private static void readFully(FileChannel ch, ByteBuffer buffer, long position) {
    try {
      while (buffer.hasRemaining()) {
        if (ch.read(buffer, position + buffer.position()) < 0) {
          throw new java.io.EOFException("the file ends inside a tensor");
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A read-only little-endian mapping of stored bytes to convert, unmapped by {@link #unmap} (not counted: the caller counts). */
  private MappedByteBuffer mapForConversion(FileChannel ch, long position, long bytes) throws IOException {
    MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, position, bytes);
    mappings.add(mapped);
    mapped.order(ByteOrder.LITTLE_ENDIAN);
    return mapped;
  }

  /** Stored bf16 bytes a thread reads at a time for {@link #widenFromFile}. */
  private static final ThreadLocal<ByteBuffer> WIDEN_READ = ThreadLocal.withInitial(
      () -> ByteBuffer.allocateDirect(2 * BLOCK).order(ByteOrder.LITTLE_ENDIAN));

  /**
   * bf16 at {@code position} widened exactly into {@code dst} (fp32), {@link #BLOCK} elements at a time on the common
   * pool's threads, each block read with a positional read into the thread's own buffer: no page faults on a mapping of
   * the source (the mapping's faults were a third of a bf16 → fp32 load).
   */
  private static void widenFromFile(FileChannel ch, long position, IntBuffer dst, int elements) throws IOException {
    int blocks = (elements + BLOCK - 1) / BLOCK;
    try {
      java.util.stream.IntStream.range(0, blocks).parallel().forEach(b -> {
        int from = b * BLOCK;
        int n = Math.min(BLOCK, elements - from);
        ByteBuffer in = WIDEN_READ.get();
        in.clear().limit(2 * n);
        readFully(ch, in, position + 2L * from);
        in.flip();
        short[] raw = WIDEN_IN.get();
        int[] out = WIDEN_OUT.get();
        in.asShortBuffer().get(raw, 0, n);
        for (int i = 0; i < n; i++) {
          out[i] = (raw[i] & 0xffff) << 16;
        }
        dst.put(from, out, 0, n);
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static void widenInto(ShortBuffer src, IntBuffer dst, int elements) {
    int blocks = (elements + BLOCK - 1) / BLOCK;
    java.util.stream.IntStream.range(0, blocks).parallel().forEach(b -> {
      int from = b * BLOCK;
      int n = Math.min(BLOCK, elements - from);
      short[] in = WIDEN_IN.get();
      int[] out = WIDEN_OUT.get();
      src.get(from, in, 0, n);
      for (int i = 0; i < n; i++) {
        out[i] = (in[i] & 0xffff) << 16;
      }
      dst.put(from, out, 0, n);
    });
  }

  /** bf16 → fp16 (round to nearest even, as PyTorch's cast), through arrays a block at a time. */
  private void halveBfloat16Into(ShortBuffer src, ShortBuffer dst, int elements) {
    for (int from = 0; from < elements; from += BLOCK) {
      int n = Math.min(BLOCK, elements - from);
      src.get(from, shorts, 0, n);
      for (int i = 0; i < n; i++) {
        halves[i] = HalfFloat.fromBfloat16(shorts[i]);
      }
      dst.put(from, halves, 0, n);
    }
  }

  /** fp32 → fp16 (round to nearest even, as PyTorch's cast), through arrays a block at a time. */
  private static final ThreadLocal<float[]> HALVE_IN = ThreadLocal.withInitial(() -> new float[BLOCK]);
  private static final ThreadLocal<short[]> HALVE_OUT = ThreadLocal.withInitial(() -> new short[BLOCK]);

  /** fp32 → fp16 (PyTorch's rounding), blocks spread over the common pool's threads (one thread: 680 MB/s of fp32). */
  private static void halveFloatsInto(FloatBuffer src, ShortBuffer dst, int elements) {
    int blocks = (elements + BLOCK - 1) / BLOCK;
    java.util.stream.IntStream.range(0, blocks).parallel().forEach(b -> {
      int from = b * BLOCK;
      int n = Math.min(BLOCK, elements - from);
      float[] in = HALVE_IN.get();
      short[] out = HALVE_OUT.get();
      src.get(from, in, 0, n);
      for (int i = 0; i < n; i++) {
        out[i] = HalfFloat.fromFloat(in[i]);
      }
      dst.put(from, out, 0, n);
    });
  }

  /** bf16 → fp32 exactly: the 16 bits become the float's upper half. Reuses one direct buffer. */
  private ByteBuffer widen(ShortBuffer src, int elements) {
    ByteBuffer out = chunkBuffer((long) elements * 4);
    widenInto(src, out.asIntBuffer(), elements);
    return out;
  }

  /** bf16 → fp16 ({@link HalfFloat}), into the same reused direct buffer. */
  private ByteBuffer halve(ShortBuffer src, int elements) {
    ByteBuffer out = chunkBuffer((long) elements * 2);
    halveBfloat16Into(src, out.asShortBuffer(), elements);
    return out;
  }

  /** The reusable chunk buffer (one, at most 64 MB of direct memory), limited to {@code bytes}. */
  private ByteBuffer chunkBuffer(long bytes) {
    if (widenBuffer == null || widenBuffer.capacity() < bytes) {
      widenBuffer = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE, Math.max(bytes, CHUNK_ELEMENTS * 4)))
          .order(ByteOrder.nativeOrder());
    }
    ByteBuffer out = widenBuffer.duplicate().order(ByteOrder.nativeOrder());
    out.clear().limit((int) bytes);
    return out;
  }

  /**
   * Unmaps the chunks read since the last call (their data was copied into tensors PyTorch owns). Through
   * sun.misc.Unsafe.invokeCleaner, the supported way before Java 22's Arena; without it, a GC unmaps them later.
   */
  private void unmap() {
    for (MappedByteBuffer b : mappings) {
      if (UNSAFE != null) {
        try {
          INVOKE_CLEANER.invoke(UNSAFE, b);
        } catch (ReflectiveOperationException e) {
          // left to the GC
        }
      }
    }
    mappings.clear();
  }

  private static final Object UNSAFE;
  private static final java.lang.reflect.Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    java.lang.reflect.Method cleaner = null;
    try {
      Class<?> c = Class.forName("sun.misc.Unsafe");
      java.lang.reflect.Field f = c.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      unsafe = f.get(null);
      cleaner = c.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      unsafe = null;
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = cleaner;
  }

  /** Bytes of stored tensor data read so far. */
  long bytesRead() {
    return bytesRead;
  }

  /** Of {@link #bytesRead}, the bytes left as views of the mapped file (no copy). */
  long bytesMapped() {
    return bytesMapped;
  }

  @Override
  public void close() {
    unmap();
    widenBuffer = null;
  }
}

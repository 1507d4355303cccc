package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;

/**
 * A {@link TensorSource} that loads from a safetensors checkpoint into one manager (a layer's shard), each tensor
 * checked against the shape config.json implies; a mismatch names the dimension and the config.json key that gives it.
 *
 * @param strip a prefix of the listed names that this checkpoint stores without
 */
record CheckpointTensors(SafetensorsCheckpoint index, TensorLoader loader, NDManager manager, Compute compute,
                         Map<Long, String> keys, String strip) implements TensorSource {
  @Override
  public NDArray matrix(String name, long... shape) {
    return load(name, compute.matrices(), false, shape);
  }

  @Override
  public NDArray vector(String name, long... shape) {
    return load(name, compute.dtype(), false, shape);
  }

  @Override
  public NDArray normWeight(String name, long size) {
    return load(name, compute.dtype(), false, size);
  }

  @Override
  public NDArray transposedMatrix(String name, long rows, long columns) {
    return load(name, compute.matrices(), true, rows, columns);
  }

  @Override
  public boolean has(String name) {
    return index.fileOf(stored(name)) != null;
  }

  CheckpointTensors on(NDManager other) {
    return new CheckpointTensors(index, loader, other, compute, keys, strip);
  }

  private String stored(String listed) {
    return !strip.isEmpty() && listed.startsWith(strip) ? listed.substring(strip.length()) : listed;
  }

  /** {@code shape} is the stored one; with {@code transpose}, a 2-D tensor is held [shape[1], shape[0]]. */
  private NDArray load(String listed, DataType dtype, boolean transpose, long... shape) {
    String name = stored(listed);
    SafetensorsFile file = index.fileOf(name);
    if (file == null) {
      throw new ModelFormatException(Files.isRegularFile(index.dir().resolve(SafetensorsCheckpoint.INDEX))
          ? index.dir().resolve(SafetensorsCheckpoint.INDEX) : index.dir(), name, "tensor missing from the checkpoint");
    }
    long[] actual = file.tensors().get(name).shape();
    if (!Arrays.equals(actual, shape)) {
      StringBuilder which = new StringBuilder();
      for (int i = 0; i < Math.min(actual.length, shape.length); i++) {
        if (actual[i] != shape[i]) {
          which.append(which.length() == 0 ? "" : "; ").append("dimension ").append(i).append(" is ").append(actual[i]).append(" but ")
              .append(keys.getOrDefault(shape[i], "config.json")).append(" gives ").append(shape[i]);
        }
      }
      throw new ModelFormatException(file.path(), name, "shape " + Arrays.toString(actual)
          + " does not match config.json, which implies " + Arrays.toString(shape)
          + (which.length() > 0 ? " (" + which + ")" : " (another number of dimensions)"));
    }
    try {
      return transpose ? loader.loadTransposed(file, name, manager, dtype) : loader.load(file, name, manager, dtype);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

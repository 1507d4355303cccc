package dev.kansoku.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes deterministic random weights for a {@code config.json} of any registered architecture (its tensor table,
 * {@link TensorSpec#of}): the embedded default model is
 * reproduced byte for byte from a seed instead of being committed. SplittableRandom's algorithm is fixed by
 * its specification, so every JVM produces the same file.
 */
public final class RandomCheckpoint {
  public static final long DEFAULT_SEED = 20241128L;
  public static final String WEIGHTS_FILE = "model.safetensors";
  public static final double DEFAULT_STD = 0.02;

  private RandomCheckpoint() {}

  /** Generates {@code model.safetensors} in {@code dir} unless it is already there; returns its path. */
  public static Path ensureWeights(Path dir) throws IOException {
    Path target = dir.resolve(WEIGHTS_FILE);
    if (!Files.exists(target)) {
      writeWeights(dir, DEFAULT_SEED, DEFAULT_STD);
    }
    return target;
  }

  /**
   * @param std standard deviation of the weights; the default 0.02 is transformers' initializer_range, a
   *     larger one makes attention sharp, which the parity test needs to be sensitive
   */
  public static Path writeWeights(Path dir, long seed, double std) throws IOException {
    return writeWeights(dir, seed, std, false);
  }

  /**
   * As {@link #writeWeights(Path, long, double)}; with {@code randomNorms} norm weights are 1 ± std·√3 instead of
   * ones, so that a test also sees how each norm applies its weight (Cohere's in float32, before the cast).
   */
  public static Path writeWeights(Path dir, long seed, double std, boolean randomNorms) throws IOException {
    ModelConfig c = ModelConfig.read(dir.resolve("config.json"));
    SplittableRandom rnd = new SplittableRandom(seed);
    SafetensorsWriter w = new SafetensorsWriter();
    // one stream in checkpoint order: the same seed gives the same file whatever reads it
    for (TensorSpec t : TensorSpec.of(c)) {
      float[] values = t.norm() && !randomNorms ? ones(Math.toIntExact(t.elements())) : uniform(rnd, std, t.elements());
      if (t.norm() && randomNorms) {
        for (int i = 0; i < values.length; i++) {
          values[i] += 1f;
        }
      }
      w.add(t.name(), t.shape(), values);
    }
    Path target = dir.resolve(WEIGHTS_FILE);
    // a sorted map: Map.of iterates in a per-JVM order, which would change the header bytes
    // the generator name the file has always carried: the same seed keeps giving a byte-identical file
    w.write(target, new java.util.TreeMap<>(Map.of("format", "pt", "generator", "kansoku TinyLlamaFactory", "seed", Long.toString(seed), "std", Double.toString(std))));
    return target;
  }

  /** Uniform on [-a, a] with a = std·√3, so the standard deviation is {@code std}. */
  private static float[] uniform(SplittableRandom rnd, double std, long n) {
    double a = std * Math.sqrt(3.0);
    float[] out = new float[Math.toIntExact(n)];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) ((rnd.nextDouble() * 2 - 1) * a);
    }
    return out;
  }

  private static float[] ones(int n) {
    float[] out = new float[n];
    java.util.Arrays.fill(out, 1f);
    return out;
  }
}

package dev.kansoku.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes deterministic random weights for a Llama {@code config.json}: the embedded default model is
 * reproduced byte for byte from a seed instead of being committed. SplittableRandom's algorithm is fixed by
 * its specification, so every JVM produces the same file.
 */
public final class TinyLlamaFactory {
  public static final long DEFAULT_SEED = 20241128L;
  public static final String WEIGHTS_FILE = "model.safetensors";
  public static final double DEFAULT_STD = 0.02;

  private TinyLlamaFactory() {}

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
    LlamaConfig c = LlamaConfig.read(dir.resolve("config.json"));
    SplittableRandom rnd = new SplittableRandom(seed);
    int d = c.hiddenSize();
    int q = c.numHeads() * c.headDim();
    int kv = c.numKvHeads() * c.headDim();
    SafetensorsWriter w = new SafetensorsWriter();
    w.add("model.embed_tokens.weight", new long[] {c.vocabSize(), d}, uniform(rnd, std, (long) c.vocabSize() * d));
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "model.layers." + i + ".";
      w.add(p + "input_layernorm.weight", new long[] {d}, ones(d));
      w.add(p + "self_attn.q_proj.weight", new long[] {q, d}, uniform(rnd, std, (long) q * d));
      w.add(p + "self_attn.k_proj.weight", new long[] {kv, d}, uniform(rnd, std, (long) kv * d));
      w.add(p + "self_attn.v_proj.weight", new long[] {kv, d}, uniform(rnd, std, (long) kv * d));
      w.add(p + "self_attn.o_proj.weight", new long[] {d, q}, uniform(rnd, std, (long) d * q));
      if (c.attentionBias()) {
        w.add(p + "self_attn.q_proj.bias", new long[] {q}, uniform(rnd, std, q));
        w.add(p + "self_attn.k_proj.bias", new long[] {kv}, uniform(rnd, std, kv));
        w.add(p + "self_attn.v_proj.bias", new long[] {kv}, uniform(rnd, std, kv));
      }
      w.add(p + "post_attention_layernorm.weight", new long[] {d}, ones(d));
      int inner = c.intermediateSize();
      if (c.isMixtureOfExperts()) {
        w.add(p + "block_sparse_moe.gate.weight", new long[] {c.numExperts(), d}, uniform(rnd, std, (long) c.numExperts() * d));
        for (int e = 0; e < c.numExperts(); e++) {
          String ep = p + "block_sparse_moe.experts." + e + ".";
          w.add(ep + "w1.weight", new long[] {inner, d}, uniform(rnd, std, (long) inner * d));
          w.add(ep + "w3.weight", new long[] {inner, d}, uniform(rnd, std, (long) inner * d));
          w.add(ep + "w2.weight", new long[] {d, inner}, uniform(rnd, std, (long) d * inner));
        }
      } else {
        w.add(p + "mlp.gate_proj.weight", new long[] {inner, d}, uniform(rnd, std, (long) inner * d));
        w.add(p + "mlp.up_proj.weight", new long[] {inner, d}, uniform(rnd, std, (long) inner * d));
        w.add(p + "mlp.down_proj.weight", new long[] {d, inner}, uniform(rnd, std, (long) d * inner));
      }
    }
    w.add("model.norm.weight", new long[] {d}, ones(d));
    if (!c.tieWordEmbeddings()) {
      w.add("lm_head.weight", new long[] {c.vocabSize(), d}, uniform(rnd, std, (long) c.vocabSize() * d));
    }
    Path target = dir.resolve(WEIGHTS_FILE);
    // a sorted map: Map.of iterates in a per-JVM order, which would change the header bytes
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

package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * Grouped-query causal self-attention as transformers' eager attention computes it: query, key and value
 * projections (separate, or GPT-2's fused {@code c_attn}), optional per-head query/key norms (Qwen3), rotary
 * positions, the KV cache, scores scaled (1/√head_dim unless the family says otherwise), optionally soft-capped
 * (Gemma 2: cap · tanh(scores / cap)), biased by the causal mask of the layer's sliding window, softmax in float32,
 * and the output projection.
 */
public final class Attention {
  /**
   * Attention scores one pass may hold (rows × heads × width² × 4 bytes): 128 MB, half of the 256 MB above which
   * glibc (as the launcher sets it, MALLOC_MMAP_THRESHOLD_) serves blocks with fresh mmaps that are page-faulted on
   * every pass. Larger passes were the forward-pass cliff (docs/benchmarks.md: 2–6× slower, resident memory 6 GB
   * instead of 2 GB on the 50M model).
   */
  public static final long ATTENTION_BYTES = 128L << 20;

  /** How query, key and value come from the hidden states. */
  public interface Inputs {
    /** q, k and v, each (B, T, width). */
    NDArray[] apply(NDArray h);
  }

  /** Three projections. */
  public static Inputs separate(Projection q, Projection k, Projection v) {
    return h -> new NDArray[] {q.apply(h), k.apply(h), v.apply(h)};
  }

  /** One projection split into query, key and value along the last dimension (GPT-2's c_attn). */
  public static Inputs fused(Projection qkv, long width) {
    return h -> {
      NDArray fused = qkv.apply(h);
      return new NDArray[] {fused.get(new NDIndex("..., :{}", width)), fused.get(new NDIndex("..., {}:{}", width, 2 * width)),
          fused.get(new NDIndex("..., {}:", 2 * width))};
    };
  }

  /** The geometry and options of one layer's attention. */
  public record Shape(int heads, int kvHeads, int headDim, int window, double scaling, double softcap) {
    /** Scores scaled by 1/√head_dim, no soft-capping. */
    public static Shape of(ModelConfig c, int layer) {
      return new Shape(c.numHeads(), c.numKvHeads(), c.headDim(), c.windowOf(layer), 1.0 / Math.sqrt(c.headDim()), 0.0);
    }

    public Shape withScaling(double s) {
      return new Shape(heads, kvHeads, headDim, window, s, softcap);
    }

    public Shape withSoftcap(double cap) {
      return new Shape(heads, kvHeads, headDim, window, scaling, cap);
    }
  }

  private final Inputs inputs;
  private final Projection output;
  private final Norm queryNorm;
  private final Norm keyNorm;
  private final Shape shape;
  private final RotaryLayout rotary;
  private final Compute compute;

  public Attention(Inputs inputs, Projection output, Norm queryNorm, Norm keyNorm, Shape shape, RotaryLayout rotary, Compute compute) {
    this.inputs = inputs;
    this.output = output;
    this.queryNorm = queryNorm;
    this.keyNorm = keyNorm;
    this.shape = shape;
    this.rotary = rotary;
    this.compute = compute;
  }

  /** Without query/key norms. */
  public Attention(Inputs inputs, Projection output, Shape shape, RotaryLayout rotary, Compute compute) {
    this(inputs, output, Norm.NONE, Norm.NONE, shape, rotary, compute);
  }

  NDArray apply(NDArray h, Pass pass, KvCache cache, int layerIndex) {
    int hd = shape.headDim();
    int heads = shape.heads();
    int kvHeads = shape.kvHeads();
    long b = pass.rows();
    long t = pass.tokens();
    DataType dtype = compute.dtype();
    NDArray[] qkv = inputs.apply(h);
    // per-head norms act on the last dimension, before the heads move to the front (Qwen3's q_norm/k_norm)
    NDArray q = queryNorm.apply(qkv[0].reshape(b, t, heads, hd)).transpose(0, 2, 1, 3);
    NDArray k = keyNorm.apply(qkv[1].reshape(b, t, kvHeads, hd)).transpose(0, 2, 1, 3);
    NDArray v = qkv[2].reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
    q = rotary.apply(q, pass.cos(), pass.sin(), dtype);
    k = rotary.apply(k, pass.cos(), pass.sin(), dtype);
    NDArray mixed;
    if (pass.segments() == null) {
      mixed = attendWithCache(q, k, v, pass.bias(shape.window()), cache, layerIndex, false);
    } else {
      // a decoding step over several groups: each attends over its own cache; rows no segment holds (a lane's empty
      // slots) mix nothing, so they stay zeros through the output projection
      List<NDArray> parts = new ArrayList<>();
      int covered = 0;
      for (Pass.Segment s : pass.segments()) {
        String rows = s.from() + ":" + s.to();
        parts.add(attendWithCache(q.get(rows), k.get(rows), v.get(rows), s.bias(shape.window()), s.cache(), layerIndex, true));
        covered = s.to();
      }
      if (covered < b) {
        parts.add(q.getManager().zeros(new ai.djl.ndarray.types.Shape(b - covered, heads, t, hd), dtype));
      }
      mixed = parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
    }
    NDArray out = mixed.transpose(0, 2, 1, 3).reshape(b, t, (long) heads * hd);
    return output.apply(out);
  }

  /**
   * softmax(q kᵀ) v for rows that share a cache (q, k, v: (B, heads or kv heads, T, head dim), after rotary), the new
   * keys and values appended to {@code cache} first; null {@code cache} for a cache-free pass. With {@code decoding}
   * (one new token per row, a step in a decoding lane) a group's query heads run as one product against their key head.
   */
  private NDArray attendWithCache(NDArray q, NDArray k, NDArray v, NDArray bias, KvCache cache, int layerIndex, boolean decoding) {
    int hd = shape.headDim();
    int heads = shape.heads();
    int kvHeads = shape.kvHeads();
    long b = q.getShape().get(0);
    long t = q.getShape().get(2);
    if (cache != null) {
      if (cache.key(layerIndex) != null) {
        k = cache.key(layerIndex).concat(k, 2);
        v = cache.value(layerIndex).concat(v, 2);
      }
      cache.put(layerIndex, k, v);
    }
    long tk = k.getShape().get(2);
    // The scores are the pass's largest arrays (rows × heads × queries × keys): each is closed as soon as the next
    // step exists, and scaled and biased in place, so a layer holds at most two of them and none outlives its layer
    // (left to the pass's manager they piled up over the layers: 4 per layer, 20 GB at 4,096 tokens on the 50M
    // model). In-place and out-of-place element-wise ops give the same bits.
    NDArray kT = k.transpose(0, 1, 3, 2);
    // the block size is the one of the whole heads' scores, whether or not the heads run in groups (bits as before)
    long chunk = queryChunk(b, heads, t, tk, compute.attentionCap());
    if (kvHeads == heads) {
      return attendInBlocks(q, kT, v, bias, chunk);
    }
    if (decoding && t == 1) {
      // A decoding step: the rep query heads of a group are rep rows of one product against their key head, (rep × hd)
      // · (hd × keys), instead of rep products of one row — one product per group rather than one per head position
      // (each with its own small operations: at 2 threads those were most of a step's attention). The bits differ
      // from the per-head products by the kernels' rounding, and are the same for a row whatever decodes beside it
      // (DecodingLaneInvarianceTest); generation ids carry the lane shapes (RequestId.GENERATION_SHAPES).
      int rep = heads / kvHeads;
      NDArray grouped = attend(q.reshape(b, kvHeads, rep, hd), kT, v, bias);
      return grouped.reshape(b, heads, 1, hd);
    }
    // Grouped-query attention: query head i reads key/value head i / rep. transformers' repeat_kv copies every key
    // and value rep times; here the query heads that share a position in their group (i mod rep) run together against
    // the keys and values as stored, and the results are interleaved back. Each head's products are the same
    // matrix products as after the copy (per head: its queries × its keys), so the bits are the same (logits digests
    // of 26 checkpoints in three dtypes unchanged), without writing and reading rep copies of the cache: at decoding
    // steps over 1,000-token caches that copy was most of a step.
    int rep = heads / kvHeads;
    NDList groups = new NDList();
    for (int j = 0; j < rep; j++) {
      groups.add(attendInBlocks(q.get(new NDIndex(":, " + j + "::" + rep)), kT, v, bias, chunk));
    }
    NDArray stacked = NDArrays.stack(groups, 2);
    groups.close();
    return stacked.reshape(b, heads, t, hd);
  }

  /** {@link #attend} over blocks of {@code chunk} queries (all at once when they fit). */
  private NDArray attendInBlocks(NDArray q, NDArray kT, NDArray v, NDArray bias, long chunk) {
    long t = q.getShape().get(2);
    if (chunk >= t) {
      return attend(q, kT, v, bias);
    }
    // one row's scores alone exceed the cap (a 7B-class model's 32 heads at 4,096 tokens: 2.1 GB): the queries
    // run in blocks, each against every key; softmax is per query, so the blocks' results are the same numbers
    List<NDArray> parts = new ArrayList<>();
    for (long from = 0; from < t; from += chunk) {
      long to = Math.min(t, from + chunk);
      String rows = ":, :, " + from + ":" + to;
      parts.add(attend(q.get(new NDIndex(rows)), kT, v, bias.get(new NDIndex(rows))));
    }
    NDArray mixed = NDArrays.concat(new NDList(parts), 2);
    for (NDArray part : parts) {
      part.close();
    }
    return mixed;
  }

  /**
   * Queries per block so that a block's float32 scores (rows × heads × queries × keys) stay under the cap: a function
   * of the pass's canonical shape only (rows, heads, width), so a response's bits still depend on its own request
   * alone. A multiple of 16 (the bucket step) unless fewer fit.
   */
  static long queryChunk(long rows, long heads, long queries, long keys, long cap) {
    long perQuery = rows * heads * keys * 4;
    long fit = Math.max(1, cap / Math.max(1, perQuery));
    return fit >= queries ? queries : fit >= 16 ? fit / 16 * 16 : fit;
  }

  /** softmax(q kᵀ · scaling (soft-capped) + bias) v for a block of queries. */
  private NDArray attend(NDArray q, NDArray kT, NDArray v, NDArray bias) {
    NDArray scores = q.matMul(kT);
    scores.muli(shape.scaling());
    if (shape.softcap() > 0) {
      NDArray capped = scores.div(shape.softcap()).tanh().mul(shape.softcap());
      scores.close();
      scores = capped;
    }
    // softmax in float32 with a float32 bias (transformers' eager attention: softmax(..., dtype=float32).to(dtype));
    // the bias stays finite there, so a fully masked padding row of a half-precision batch never turns into NaN
    NDArray scores32 = closingOther(scores, scores.toType(DataType.FLOAT32, false));
    scores32.addi(bias);
    NDArray probs32 = scores32.softmax(-1);
    scores32.close();
    NDArray probs = closingOther(probs32, probs32.toType(compute.dtype(), false));
    NDArray mixed = probs.matMul(v);
    probs.close();
    return mixed;
  }

  /** {@code converted}, closing {@code original} when the conversion made a new array. */
  private static NDArray closingOther(NDArray original, NDArray converted) {
    if (converted != original) {
      original.close();
    }
    return converted;
  }
}

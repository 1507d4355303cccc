package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/** A decoder layer's feed-forward block: dense, gated, or a sparse mixture of gated experts. */
public interface FeedForward {
  NDArray apply(NDArray h);

  /** The element-wise activations the families use. */
  enum Activation {
    /** SiLU (Llama's {@code silu}). */
    SILU,
    /** torch's exact (erf) GELU: GPT-2's {@code activation_function = "gelu"}. */
    GELU,
    /** The tanh approximation: transformers' NewGELUActivation ({@code gelu_new}) and {@code gelu_pytorch_tanh}. */
    GELU_TANH;

    NDArray apply(NDArray x) {
      return switch (this) {
        case SILU -> ai.djl.nn.Activation.swish(x, 1f);
        case GELU -> x.getNDArrayInternal().gelu();
        // 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
        case GELU_TANH -> x.mul(0.5).mul(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI)).tanh().add(1.0));
      };
    }
  }

  /** down(act(gate x) · up x): Llama's SwiGLU (act = SiLU), Gemma's GeGLU (tanh GELU). */
  static FeedForward gated(Projection gate, Projection up, Projection down, Activation act) {
    return h -> down.apply(act.apply(gate.apply(h)).mul(up.apply(h)));
  }

  /** down(act(up x)): GPT-2's c_proj(act(c_fc x)). */
  static FeedForward dense(Projection up, Projection down, Activation act) {
    return h -> down.apply(act.apply(up.apply(h)));
  }

  /**
   * Mixtral's sparse MoE block: router softmax over experts, the top k per token renormalised to sum to 1, each
   * expert run only on the tokens routed to it, outputs summed per token with their weights. Routing is decided on
   * the host from the (tokens × experts) probabilities, a few numbers per token.
   */
  /**
   * Rows an expert's input is padded to a multiple of (zeros, their outputs dropped). How many tokens a pass routes to
   * an expert depends on the other requests in the pass (and, decoding, on the other sequences of the lane), and the
   * matmul kernels give a row other bits when a product has 1–3 rows or ends in a partial block of 32 token rows
   * (docs/bit-identity.md): unpadded, a Mixtral request's log-likelihood moved with its neighbours (4 of 12 requests
   * alone vs in a batch) and every generation did (12 of 12). Padded, the products always have whole blocks.
   */
  static final int EXPERT_ROWS = 32;

  static FeedForward sparseMixture(NDArray router, List<FeedForward> experts, int perToken, Compute compute) {
    return h -> {
      Shape shape = h.getShape();
      long d = shape.get(shape.dimension() - 1);
      NDArray flat = h.reshape(-1, d);
      int n = (int) flat.getShape().get(0);
      int count = experts.size();
      int k = perToken;
      NDArray routerLogits = compute.bfloat16() != null ? compute.bfloat16().linear(flat, router) : Projection.linear(flat, router, null);
      float[] probs = routerLogits.toType(DataType.FLOAT32, false).softmax(1).toFloatArray();
      List<List<Long>> rows = new ArrayList<>();
      List<List<Float>> weights = new ArrayList<>();
      for (int e = 0; e < count; e++) {
        rows.add(new ArrayList<>());
        weights.add(new ArrayList<>());
      }
      int[][] chosen = new int[n][k];
      int[][] position = new int[n][k];
      for (int t = 0; t < n; t++) {
        boolean[] taken = new boolean[count];
        double total = 0;
        for (int r = 0; r < k; r++) {
          int best = -1;
          for (int e = 0; e < count; e++) {
            if (!taken[e] && (best < 0 || probs[t * count + e] > probs[t * count + best])) {
              best = e;
            }
          }
          taken[best] = true;
          chosen[t][r] = best;
          total += probs[t * count + best];
        }
        for (int r = 0; r < k; r++) {
          int e = chosen[t][r];
          position[t][r] = rows.get(e).size();
          rows.get(e).add((long) t);
          weights.get(e).add((float) (probs[t * count + e] / total));
        }
      }
      NDManager m = h.getManager();
      NDList outputs = new NDList();
      int[] offset = new int[count];
      int next = 0;
      for (int e = 0; e < count; e++) {
        offset[e] = next;
        if (rows.get(e).isEmpty()) {
          continue;
        }
        next += rows.get(e).size();
        int routed = rows.get(e).size();
        NDArray x = flat.get(m.create(rows.get(e).stream().mapToLong(Long::longValue).toArray()));
        int padded = (routed + EXPERT_ROWS - 1) / EXPERT_ROWS * EXPERT_ROWS;
        if (padded > routed) {
          x = x.concat(m.zeros(new Shape(padded - routed, d), x.getDataType()), 0);
        }
        float[] w = new float[weights.get(e).size()];
        for (int i = 0; i < w.length; i++) {
          w[i] = weights.get(e).get(i);
        }
        NDArray y = experts.get(e).apply(x);
        if (padded > routed) {
          y = y.get("0:" + routed);
        }
        outputs.add(y.mul(m.create(w).reshape(-1, 1).toType(compute.dtype(), false)));
      }
      long[] gather = new long[n * k];
      for (int t = 0; t < n; t++) {
        for (int r = 0; r < k; r++) {
          gather[t * k + r] = offset[chosen[t][r]] + position[t][r];
        }
      }
      NDArray all = outputs.size() == 1 ? outputs.head() : NDArrays.concat(outputs, 0);
      return all.get(m.create(gather)).reshape(n, k, d).sum(new int[] {1}).reshape(shape);
    };
  }
}

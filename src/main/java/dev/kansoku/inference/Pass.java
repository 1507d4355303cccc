package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/**
 * What every layer of one forward pass shares: its shape (rows × new tokens), the rotary tables (null without rotary
 * positions) and one additive attention bias per distinct sliding window (0 = full attention). A decoding step over
 * several independently prefilled groups of sequences ({@link DecoderModel#decodeStep}) has {@link #segments}: the
 * rows run through the norms, projections and feed-forward layers together, and each segment attends over its own
 * KV cache with its own biases.
 */
public record Pass(long rows, long tokens, NDArray cos, NDArray sin, Map<Integer, NDArray> biases, List<Segment> segments) {
  /** A pass of one group: every row attends with {@code biases} over the pass's cache. */
  Pass(long rows, long tokens, NDArray cos, NDArray sin, Map<Integer, NDArray> biases) {
    this(rows, tokens, cos, sin, biases, null);
  }

  NDArray bias(int window) {
    return biases.get(window);
  }

  /** This pass with its tables and masks moved by {@code move} (to the next device of a split model). */
  Pass movedTo(java.util.function.UnaryOperator<NDArray> move) {
    List<Segment> movedSegments = segments == null ? null
        : segments.stream().map(s -> new Segment(s.from(), s.to(), s.cache(), moved(s.biases(), move))).toList();
    return new Pass(rows, tokens, cos == null ? null : move.apply(cos), sin == null ? null : move.apply(sin), moved(biases, move),
        movedSegments);
  }

  private static Map<Integer, NDArray> moved(Map<Integer, NDArray> biases, java.util.function.UnaryOperator<NDArray> move) {
    Map<Integer, NDArray> out = new java.util.TreeMap<>();
    biases.forEach((window, bias) -> out.put(window, move.apply(bias)));
    return out;
  }

  /**
   * Rows {@code [from, to)} of a decoding step: sequences prefilled together, their keys and values in {@code cache},
   * their additive attention bias (rows, 1, 1, keys) per sliding window in {@code biases}.
   */
  public record Segment(int from, int to, KvCache cache, Map<Integer, NDArray> biases) {
    NDArray bias(int window) {
      return biases.get(window);
    }
  }
}

package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * What every layer of one forward pass shares: its shape (rows × new tokens), the rotary tables (null without rotary
 * positions) and one additive attention bias per distinct sliding window (0 = full attention).
 */
public record Pass(long rows, long tokens, NDArray cos, NDArray sin, Map<Integer, NDArray> biases) {
  NDArray bias(int window) {
    return biases.get(window);
  }
}

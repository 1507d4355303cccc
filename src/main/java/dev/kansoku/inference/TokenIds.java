package dev.kansoku.inference;

import java.util.Arrays;

/** Operations on token-id sequences shared by the engine and the backends. */
public final class TokenIds {
  private TokenIds() {}

  /** {@code a} followed by {@code b}. */
  public static long[] concat(long[] a, long[] b) {
    long[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

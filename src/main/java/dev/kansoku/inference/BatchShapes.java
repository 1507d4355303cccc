package dev.kansoku.inference;

/**
 * The shapes of the tensors a batch runs in. Floating-point kernels choose their blocking, and with it the order
 * of their sums, from the shapes they are given: a request scored with 1, 2 or 3 neighbours, or padded to a
 * neighbour's length, comes out a few ulps apart (docs/bit-identity.md). Under {@link #canonical} shapes every
 * forward pass a request takes part in has a width fixed by that request's own token count (rounded up to a
 * bucket) and a row count fixed by that width and the settings, never by its neighbours: empty rows fill a batch
 * that is not full. Its response is then the same bits alone, in any batch, partition or resume.
 * {@link #asGiven} runs a batch at its own size and longest row (the behaviour before kansoku-3, kept as the
 * baseline that {@code bench pipeline} measures the cost against).
 *
 * @param maxRows most requests in one forward pass ({@code inference.batch-size})
 * @param tokenBudget most padded tokens in one forward pass ({@code inference.batch-tokens}; 0 = no limit): a
 *     longer bucket runs fewer rows
 */
public record BatchShapes(boolean canonical, int maxRows, int tokenBudget) {
  /** Rows scored through the LM head at once, padded with copies of the first: its shape must not vary either. */
  static final int LOGIT_ROWS = 16;

  public static final BatchShapes DEFAULT = canonical(8, 8192);

  public BatchShapes {
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
    }
  }

  public static BatchShapes canonical(int maxRows, int tokenBudget) {
    return new BatchShapes(true, maxRows, tokenBudget);
  }

  public static BatchShapes asGiven() {
    return new BatchShapes(false, Integer.MAX_VALUE, 0);
  }

  /**
   * The padded width of a sequence of {@code tokens}: 16 at least, then steps of an eighth of the power of two
   * below it (16 up to 256, 32 up to 512, 64 up to 1024, …), so padding wastes at most 1/8 of the longer rows.
   */
  public static int bucket(int tokens) {
    if (tokens <= 16) {
      return 16;
    }
    int step = Math.max(16, Integer.highestOneBit(tokens - 1) >> 3);
    return (tokens + step - 1) / step * step;
  }

  /**
   * The padded prompt width of a generation: the power of two at or above {@code tokens} (64 at least). Coarser
   * than {@link #bucket}: decoding steps dominate a generation's cost and a pass decodes until its longest
   * request finishes, so fewer, fuller groups beat tighter prefill padding (measured in docs/bit-identity.md).
   */
  public static int promptBucket(int tokens) {
    return Math.max(64, Integer.highestOneBit(Math.max(1, tokens - 1)) << 1);
  }

  /** Rows of a forward pass whose rows are {@code tokensPerRow} wide: the budget's share, within 1..maxRows. */
  public int rows(int tokensPerRow) {
    if (tokenBudget <= 0) {
      return maxRows;
    }
    return Math.max(1, Math.min(maxRows, tokenBudget / Math.max(1, tokensPerRow)));
  }

  /** Half the rows (after an out-of-memory failure); responses computed so carry the smaller shape's bits. */
  public BatchShapes halved() {
    return new BatchShapes(canonical, Math.max(1, Math.min(maxRows, 1 << 20) / 2), tokenBudget / 2);
  }
}

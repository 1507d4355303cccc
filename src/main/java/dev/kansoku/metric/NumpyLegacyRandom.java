package dev.kansoku.metric;

/**
 * numpy's legacy global generator ({@code np.random.seed(int)}, {@code np.random.choice(n, size)}) for the one
 * place a reference framework's score depends on it: rouge_score's bootstrap in the JP harness. MT19937 seeded
 * with {@code init_genrand} (numpy's legacy seeding of an int), and bounded integers by masked rejection of
 * 32-bit draws ({@code random_bounded_uint64_fill} with {@code use_masked}), as numpy's legacy {@code randint}.
 */
final class NumpyLegacyRandom {
  private static final int N = 624;
  private static final int M = 397;
  private final int[] mt = new int[N];
  private int index;

  NumpyLegacyRandom(long seed) {
    mt[0] = (int) (seed & 0xffffffffL);
    for (int i = 1; i < N; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    index = N;
  }

  int nextUint32() {
    if (index >= N) {
      for (int k = 0; k < N; k++) {
        int y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
        mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
      }
      index = 0;
    }
    int y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  /** {@code randint(0, n)}: an integer in [0, n). */
  int randint(int n) {
    long rng = n - 1L;
    if (rng == 0) {
      return 0;
    }
    long mask = rng;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    long value;
    do {
      value = Integer.toUnsignedLong(nextUint32()) & mask;
    } while (value > rng);
    return (int) value;
  }
}

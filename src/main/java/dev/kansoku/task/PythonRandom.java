package dev.kansoku.task;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CPython's {@code random.Random} (Mersenne Twister MT19937, {@code init_by_array} seeding, CPython 3.11
 * {@code shuffle} and {@code sample}), so that few-shot examples are the very ones the reference frameworks
 * draw: lm-evaluation-harness samples with {@code random.Random(1234)}, llm-jp-eval shuffles with
 * {@code random.seed(42)}. Not thread-safe.
 */
public final class PythonRandom {
  private static final int N = 624;
  private static final int M = 397;
  private final int[] mt = new int[N];
  private int index = N + 1;

  public PythonRandom(long seed) {
    seed(BigInteger.valueOf(seed));
  }

  /** {@code random.seed(n)} for an int: the absolute value split into 32-bit words, least significant first. */
  private void seed(BigInteger seed) {
    BigInteger n = seed.abs();
    List<Integer> key = new ArrayList<>();
    BigInteger mask = BigInteger.valueOf(0xffffffffL);
    do {
      key.add(n.and(mask).intValue());
      n = n.shiftRight(32);
    } while (n.signum() > 0);
    initByArray(key.stream().mapToInt(Integer::intValue).toArray());
  }

  private void initGenrand(int s) {
    mt[0] = s;
    for (int i = 1; i < N; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    index = N;
  }

  private void initByArray(int[] key) {
    initGenrand(19650218);
    int i = 1;
    int j = 0;
    for (int k = Math.max(N, key.length); k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) {
        j = 0;
      }
    }
    for (int k = N - 1; k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** One 32-bit output, as an unsigned value in a long. */
  public long nextUint32() {
    if (index >= N) {
      twist();
    }
    int y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y & 0xffffffffL;
  }

  private void twist() {
    for (int kk = 0; kk < N; kk++) {
      int y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % N] & 0x7fffffff);
      mt[kk] = mt[(kk + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
    }
    index = 0;
  }

  /** {@code getrandbits(k)} for 0 < k ≤ 32. */
  public long getrandbits(int k) {
    if (k <= 0 || k > 32) {
      throw new IllegalArgumentException("k must be in 1..32, got " + k);
    }
    return nextUint32() >>> (32 - k);
  }

  /** {@code _randbelow_with_getrandbits(n)}: rejection sampling on bit_length(n) bits. */
  public int randbelow(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("n must be positive");
    }
    int k = 32 - Integer.numberOfLeadingZeros(n);
    long r = getrandbits(k);
    while (r >= n) {
      r = getrandbits(k);
    }
    return (int) r;
  }

  /** {@code shuffle(x)} in place. */
  public <T> void shuffle(List<T> x) {
    for (int i = x.size() - 1; i > 0; i--) {
      int j = randbelow(i + 1);
      T tmp = x.get(i);
      x.set(i, x.get(j));
      x.set(j, tmp);
    }
  }

  /** {@code sample(population, k)} of CPython 3.11 (pool method for small populations, set method otherwise). */
  public <T> List<T> sample(List<T> population, int k) {
    int n = population.size();
    if (k < 0 || k > n) {
      throw new IllegalArgumentException("sample larger than population or is negative");
    }
    List<T> result = new ArrayList<>(k);
    int setsize = 21;
    if (k > 5) {
      setsize += (int) Math.pow(4, Math.ceil(Math.log(k * 3.0) / Math.log(4)));
    }
    if (n <= setsize) {
      List<T> pool = new ArrayList<>(population);
      for (int i = 0; i < k; i++) {
        int j = randbelow(n - i);
        result.add(pool.get(j));
        pool.set(j, pool.get(n - i - 1));
      }
    } else {
      Set<Integer> selected = new HashSet<>();
      for (int i = 0; i < k; i++) {
        int j = randbelow(n);
        while (selected.contains(j)) {
          j = randbelow(n);
        }
        selected.add(j);
        result.add(population.get(j));
      }
    }
    return result;
  }
}

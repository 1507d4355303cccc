package dev.kansoku.sandbox;

/**
 * The unbiased pass@k estimator of Chen et al. (2021), as bigcode-evaluation-harness computes it:
 * 1 − C(n − c, k) / C(n, k) = 1 − ∏_{i = n−c+1}^{n} (1 − k / i), and 1 when n − c < k.
 */
public final class PassAtK {
  private PassAtK() {}

  public static double estimate(int n, int c, int k) {
    if (n <= 0 || c < 0 || c > n || k <= 0) {
      throw new IllegalArgumentException("need 0 ≤ c ≤ n, n > 0, k > 0; got n=" + n + " c=" + c + " k=" + k);
    }
    if (n - c < k) {
      return 1.0;
    }
    double prod = 1.0;
    for (int i = n - c + 1; i <= n; i++) {
      prod *= 1.0 - (double) k / i;
    }
    return 1.0 - prod;
  }

  /** The mean over problems, as the harness reports pass@k. */
  public static double mean(int[] n, int[] c, int k) {
    double sum = 0;
    for (int i = 0; i < n.length; i++) {
      sum += estimate(n[i], c[i], k);
    }
    return sum / n.length;
  }
}

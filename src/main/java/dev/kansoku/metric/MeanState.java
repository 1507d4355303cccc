package dev.kansoku.metric;

/**
 * Mean and standard error of the mean, merged as Spark merges {@code avg} and {@code stddev_samp}: a plain sum for
 * the mean, Chan et al.'s pairwise update of the centred second moment for the variance.
 */
public final class MeanState implements AggregateState {
  private long n;
  private double sum;
  private double mean;
  private double m2;

  @Override
  public void add(String exampleId, double value, String detail) {
    n++;
    sum += value;
    double delta = value - mean;
    mean += delta / n;
    m2 += delta * (value - mean);
  }

  @Override
  public AggregateState merge(AggregateState other) {
    MeanState o = (MeanState) other;
    if (o.n == 0) {
      return this;
    }
    if (n == 0) {
      return o;
    }
    long total = n + o.n;
    double delta = o.mean - mean;
    m2 += o.m2 + delta * delta * n * o.n / total;
    mean += delta * o.n / total;
    sum += o.sum;
    n = total;
    return this;
  }

  @Override
  public long count() {
    return n;
  }

  @Override
  public Result result(int evalDocs) {
    if (n == 0) {
      return new Result(Double.NaN, null, 0);
    }
    Double stderr = n < 2 ? null : Math.sqrt(m2 / (n - 1)) / Math.sqrt(n);
    return new Result(sum / n, stderr, n);
  }
}

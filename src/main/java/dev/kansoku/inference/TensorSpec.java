package dev.kansoku.inference;

import java.util.Collection;
import java.util.List;

/**
 * One tensor a checkpoint stores: its name, its stored shape, whether it is a norm weight (test writers fill those
 * with ones), and its decoder layer (-1 outside the layers).
 */
public record TensorSpec(String name, long[] shape, boolean norm, int layer) {
  public long elements() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** Every tensor a checkpoint of {@code c} stores, in checkpoint order: its architecture's assembly, listed. */
  public static List<TensorSpec> of(ModelConfig c) {
    TensorLister lister = new TensorLister();
    Architecture a = c.implementation();
    Embedder embedding = a.embedder(c, lister);
    for (int i = 0; i < c.numLayers(); i++) {
      lister.layer = i;
      a.layer(c, i, lister);
    }
    lister.layer = -1;
    a.head(c, lister, embedding);
    return List.copyOf(lister.specs);
  }

  /** Elements of every tensor a checkpoint of {@code c} stores (a tied head counted once). */
  public static long elements(ModelConfig c) {
    return elements(of(c));
  }

  public static long elements(Collection<TensorSpec> specs) {
    return specs.stream().mapToLong(TensorSpec::elements).sum();
  }

  /** A {@link TensorSource} that records what is asked for and loads nothing. */
  private static final class TensorLister implements TensorSource {
    final List<TensorSpec> specs = new java.util.ArrayList<>();
    int layer = -1;

    @Override
    public ai.djl.ndarray.NDArray matrix(String name, long... shape) {
      specs.add(new TensorSpec(name, shape, false, layer));
      return null;
    }

    @Override
    public ai.djl.ndarray.NDArray vector(String name, long... shape) {
      specs.add(new TensorSpec(name, shape, false, layer));
      return null;
    }

    @Override
    public ai.djl.ndarray.NDArray normWeight(String name, long size) {
      specs.add(new TensorSpec(name, new long[] {size}, true, layer));
      return null;
    }

    @Override
    public ai.djl.ndarray.NDArray transposedMatrix(String name, long rows, long columns) {
      specs.add(new TensorSpec(name, new long[] {rows, columns}, false, layer));
      return null;
    }

    @Override
    public Compute compute() {
      return Compute.LISTING;
    }

    @Override
    public boolean has(String name) {
      return true;
    }
  }
}

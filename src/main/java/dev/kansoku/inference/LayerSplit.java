package dev.kansoku.inference;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where each decoder layer of a checkpoint lives when the model is split by layers across several devices (a
 * model too large for one GPU, on an executor whose task was given several). The first device also holds the token
 * embedding, the final norm and the LM head: hidden states enter there and come back there, so the engine sees
 * one device and a tied head needs no second copy of the embedding. Layers then fill the devices in order, as
 * many as each device's weight budget takes — Accelerate's "sequential" device map: a forward pass visits the
 * devices one after the other, so filling them in order crosses the fewest device boundaries.
 *
 * @param shards one per device used, in layer order; a single shard when the model fits on the first device
 */
public record LayerSplit(List<Shard> shards) {

  /** Layers {@code [firstLayer, endLayer)} on {@code device}; {@code bytes} counts their weights (and, on the first shard, embedding and head). */
  public record Shard(Device device, int firstLayer, int endLayer, long bytes) {
    public int layers() {
      return endLayer - firstLayer;
    }
  }

  /** A device and the bytes of weights it may hold (its memory minus room for activations and the KV cache). */
  public record DeviceBudget(Device device, long weightBytes) {}

  /** Everything on one device, with no budget check (the single-device case: a model that does not fit fails in PyTorch). */
  public static LayerSplit single(Device device, ModelConfig config, DataType dtype) {
    WeightBytes w = WeightBytes.of(config, dtype);
    return new LayerSplit(List.of(new Shard(device, 0, config.numLayers(), w.total())));
  }

  /**
   * Plans the split of {@code config}'s weights in {@code dtype} over {@code budgets} (in order). A model that fits
   * the first budget stays on one device.
   *
   * @throws ModelDoesNotFitException when the budgets together cannot hold the model, naming the bytes needed and offered
   */
  public static LayerSplit plan(ModelConfig config, DataType dtype, List<DeviceBudget> budgets) {
    if (budgets.isEmpty()) {
      throw new IllegalArgumentException("no device to place the model on");
    }
    WeightBytes w = WeightBytes.of(config, dtype);
    List<Shard> shards = new ArrayList<>();
    int layer = 0;
    for (int i = 0; i < budgets.size() && layer < config.numLayers(); i++) {
      long used = i == 0 ? w.outside() : 0;
      int first = layer;
      while (layer < config.numLayers() && used + w.perLayer() <= budgets.get(i).weightBytes()) {
        used += w.perLayer();
        layer++;
      }
      if (i == 0 && used > budgets.get(0).weightBytes()) {
        throw new ModelDoesNotFitException("the embedding and LM head alone (" + gib(w.outside()) + ") exceed "
            + budgets.get(0).device() + "'s weight budget of " + gib(budgets.get(0).weightBytes()) + "; " + offered(w, budgets));
      }
      if (layer > first || i == 0) {
        shards.add(new Shard(budgets.get(i).device(), first, layer, used));
      }
    }
    if (layer < config.numLayers()) {
      throw new ModelDoesNotFitException("layers " + layer + ".." + (config.numLayers() - 1) + " do not fit: " + offered(w, budgets));
    }
    return new LayerSplit(List.copyOf(shards));
  }

  /**
   * Budgets that put the embedding and the first half of {@code config}'s layers on {@code first} and the rest on
   * {@code second}: a split on demand, to check that a split model scores as the whole one (the GPU kit's check).
   */
  public static List<DeviceBudget> halves(ModelConfig config, DataType dtype, Device first, Device second) {
    WeightBytes w = WeightBytes.of(config, dtype);
    long firstHalf = w.outside() + (config.numLayers() + 1) / 2 * w.perLayer();
    return List.of(new DeviceBudget(first, firstHalf), new DeviceBudget(second, w.total()));
  }

  private static String offered(WeightBytes w, List<DeviceBudget> budgets) {
    StringBuilder s = new StringBuilder("the model needs " + gib(w.total()) + " of weights (" + gib(w.perLayer())
        + " per layer, " + gib(w.outside()) + " embedding, norm and head), the devices offer");
    for (DeviceBudget b : budgets) {
      s.append(' ').append(b.device()).append(' ').append(gib(b.weightBytes())).append(',');
    }
    s.setLength(s.length() - 1);
    return s + " (raise inference.weight-memory-share or device-memory-gib, give the task more GPUs, or use fp16)";
  }

  /** Whether more than one device is used. */
  public boolean isSplit() {
    return shards.size() > 1;
  }

  /** The shard that runs {@code layer}. */
  public int shardOf(int layer) {
    for (int s = 0; s < shards.size(); s++) {
      if (layer < shards.get(s).endLayer()) {
        return s;
      }
    }
    throw new IllegalArgumentException("layer " + layer + " is beyond the split");
  }

  /** One line for the log: "cuda:0 embedding+head+layers 0-13 (12.9 GiB) | cuda:1 layers 14-31 (13.1 GiB)". */
  public String describe() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < shards.size(); i++) {
      Shard shard = shards.get(i);
      if (i > 0) {
        s.append(" | ");
      }
      s.append(shard.device()).append(i == 0 ? " embedding+head+" : " ");
      s.append(shard.layers() == 0 ? "no layers" : "layers " + shard.firstLayer() + "-" + (shard.endLayer() - 1));
      s.append(" (").append(gib(shard.bytes())).append(')');
    }
    return s.toString();
  }

  /** Bytes for people: GiB from 1 GiB up, MiB below (a test checkpoint's layer is a few hundred KiB). */
  static String gib(long bytes) {
    return bytes >= (1L << 30) || bytes == Long.MAX_VALUE
        ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30))
        : String.format(Locale.ROOT, "%.2f MiB", bytes / (double) (1L << 20));
  }

  /** Bytes of a checkpoint's weights in the compute dtype, by where they go: each decoder layer, and the rest. */
  record WeightBytes(long perLayer, long outside, int layers) {
    static WeightBytes of(ModelConfig c, DataType dtype) {
      // the tensors the loader reads (the architecture's tensor table), so every block is counted as it is stored;
      // layer 0's tensors stand for each layer
      long layer = 0;
      long all = 0;
      for (TensorSpec t : TensorSpec.of(c)) {
        all += t.elements();
        if (t.layer() == 0) {
          layer += t.elements();
        }
      }
      long outside = all - layer * c.numLayers();
      long size = dtype.getNumOfBytes();
      return new WeightBytes(layer * size, outside * size, c.numLayers());
    }

    long total() {
      return outside + perLayer * layers;
    }
  }
}

package dev.kansoku.inference;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.Serializable;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;

/**
 * How much of each device a model's weights may take, from {@code inference.device-memory-gib} and
 * {@code inference.weight-memory-share}: the rest of the device is left to activations and the KV cache, which
 * grow with the batch.
 *
 * @param gib memory per device in GiB; 0 = what the device reports free when the model loads (a GPU), unlimited (the CPU)
 * @param weightShare share of that memory weights may take (0, 1]
 */
public record DeviceMemory(double gib, double weightShare) implements Serializable {
  public static final DeviceMemory DEVICE_REPORTED = new DeviceMemory(0, 0.8);

  public DeviceMemory {
    if (gib < 0 || weightShare <= 0 || weightShare > 1) {
      throw new IllegalArgumentException("device memory " + gib + " GiB with weight share " + weightShare);
    }
  }

  /** The weight budget of each device, in order. */
  public List<LayerSplit.DeviceBudget> budgets(List<Device> devices) {
    List<LayerSplit.DeviceBudget> out = new ArrayList<>();
    for (Device device : devices) {
      out.add(new LayerSplit.DeviceBudget(device, weightBytes(device)));
    }
    return out;
  }

  private long weightBytes(Device device) {
    if (gib > 0) {
      return (long) (gib * (1L << 30) * weightShare);
    }
    if (!device.isGpu()) {
      return Long.MAX_VALUE;
    }
    MemoryUsage usage = CudaUtils.getGpuMemory(device);
    long free = usage.getMax() - usage.getCommitted();
    return (long) (free * weightShare);
  }
}

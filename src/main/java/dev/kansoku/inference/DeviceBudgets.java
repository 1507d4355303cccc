package dev.kansoku.inference;

import dev.kansoku.config.DeviceMemory;
import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;

/** The weight budget of each device a model is split over, from the configured {@link DeviceMemory}. */
public final class DeviceBudgets {
  private DeviceBudgets() {}

  /** The weight budget of each device, in order. */
  public static List<LayerSplit.DeviceBudget> of(DeviceMemory memory, List<Device> devices) {
    List<LayerSplit.DeviceBudget> out = new ArrayList<>();
    for (Device device : devices) {
      out.add(new LayerSplit.DeviceBudget(device, weightBytes(memory, device)));
    }
    return out;
  }

  private static long weightBytes(DeviceMemory memory, Device device) {
    if (memory.gib() > 0) {
      return (long) (memory.gib() * (1L << 30) * memory.weightShare());
    }
    if (!device.isGpu()) {
      return Long.MAX_VALUE;
    }
    MemoryUsage usage = CudaUtils.getGpuMemory(device);
    long free = usage.getMax() - usage.getCommitted();
    return (long) (free * memory.weightShare());
  }
}

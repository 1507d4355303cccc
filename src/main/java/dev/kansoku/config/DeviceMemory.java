package dev.kansoku.config;

import java.io.Serializable;

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
}

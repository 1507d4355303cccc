package dev.kansoku.infer;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The devices an inference task runs on: the GPU addresses Spark's resource scheduler assigned to the task
 * ({@code spark.task.resource.gpu.amount}, addresses from the executor's discovery script), or the CPU when
 * the task has no GPU (local mode, CPU clusters). The model loads on the first; a model too large for it is split
 * by layers over the others (a task given all of an executor's GPUs).
 */
final class TaskDevices {
  private TaskDevices() {}

  static List<Device> assigned() {
    TaskContext context = TaskContext.get();
    if (context == null) {
      return List.of(Device.cpu());
    }
    scala.Option<ResourceInformation> gpu = context.resources().get("gpu");
    return gpu.isDefined() ? fromAddresses(gpu.get().addresses()) : List.of(Device.cpu());
  }

  /** Spark reports GPU addresses as strings ("0", "1", …): each becomes {@code Device.gpu(n)}, in Spark's order. */
  static List<Device> fromAddresses(String[] addresses) {
    if (addresses == null || addresses.length == 0) {
      return List.of(Device.cpu());
    }
    List<Device> devices = new ArrayList<>();
    for (String address : addresses) {
      try {
        devices.add(Device.gpu(Integer.parseInt(address.trim())));
      } catch (NumberFormatException e) {
        throw new IllegalStateException("Spark assigned GPU address '" + address + "', which is not a device index;"
            + " the discovery script must print indices as nvidia-smi numbers them", e);
      }
    }
    return List.copyOf(devices);
  }
}

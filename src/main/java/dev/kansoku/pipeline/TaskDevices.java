package dev.kansoku.pipeline;

import ai.djl.Device;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The device an inference task runs on: the first GPU address Spark's resource scheduler assigned to the task
 * ({@code spark.task.resource.gpu.amount}, addresses from the executor's discovery script), or the CPU when
 * the task has no GPU (local mode, CPU clusters).
 */
final class TaskDevices {
  private TaskDevices() {}

  static Device assigned() {
    TaskContext context = TaskContext.get();
    if (context == null) {
      return Device.cpu();
    }
    scala.Option<ResourceInformation> gpu = context.resources().get("gpu");
    return gpu.isDefined() ? fromAddresses(gpu.get().addresses()) : Device.cpu();
  }

  /** Spark reports GPU addresses as strings ("0", "1", …): the first becomes {@code Device.gpu(n)}. */
  static Device fromAddresses(String[] addresses) {
    if (addresses == null || addresses.length == 0) {
      return Device.cpu();
    }
    try {
      return Device.gpu(Integer.parseInt(addresses[0].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalStateException("Spark assigned GPU address '" + addresses[0] + "', which is not a device index;"
          + " the discovery script must print indices as nvidia-smi numbers them", e);
    }
  }
}

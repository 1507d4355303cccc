package dev.kansoku.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskDevicesTest {
  @Test
  void sparkGpuAddressesBecomeDjlDevices() {
    assertEquals(List.of(Device.gpu(2), Device.gpu(3)), TaskDevices.fromAddresses(new String[] {"2", "3"}));
    assertEquals(List.of(Device.cpu()), TaskDevices.fromAddresses(new String[0]));
    // outside a Spark task (driver, tests) there is no assignment: CPU
    assertEquals(List.of(Device.cpu()), TaskDevices.assigned());
    assertThrows(IllegalStateException.class, () -> TaskDevices.fromAddresses(new String[] {"GPU-8f1c"}));
  }
}

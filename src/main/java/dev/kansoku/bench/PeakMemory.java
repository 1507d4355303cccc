package dev.kansoku.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak memory figures for the benchmark commands: Java heap (memory pools) and resident set (heap + native). */
public final class PeakMemory {
  private PeakMemory() {}

  /** Starts a new measurement of the heap peak. */
  public static void resetHeapPeak() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  public static long heapMb() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum / (1024 * 1024);
  }

  /** Starts a new measurement of the resident-set peak (Linux: writing 5 to /proc/self/clear_refs resets VmHWM). */
  public static void resetResidentPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // not Linux, or not allowed: the peak then counts from the process start
    }
  }

  /** The process's peak resident set (VmHWM), or -1 where /proc is not there. */
  public static long residentMb() {
    return status("VmHWM:");
  }

  /** The process's current resident set (VmRSS), or -1 where /proc is not there. */
  public static long currentResidentMb() {
    return status("VmRSS:");
  }

  private static long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }
}

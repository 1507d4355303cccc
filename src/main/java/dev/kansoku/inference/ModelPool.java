package dev.kansoku.inference;

import dev.kansoku.config.DeviceMemory;
import dev.kansoku.config.ModelSpec;
import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model loaded in this JVM (a Spark executor, or the driver in local mode). Loading is the expensive
 * step, so a model stays loaded across partitions and tasks until a different one is asked for; then the old
 * one is closed first, so one executor never holds two models.
 *
 * <p>Work on the loaded model goes through {@link Lease}s. Any number of task threads may hold a lease on the
 * loaded model at once (the weights are read-only and every batch has its own native scope), so an executor
 * with several task slots runs that many batches in parallel. A lease for another model waits until no lease is
 * open, then replaces the model. While it waits, leases on the loaded model are still granted: the pool finishes
 * the work of the loaded model before switching, instead of reloading back and forth between two slots.
 *
 * <p>Models load through their format's {@link Backend}. A pool is an object: the executor side owns the one its JVM
 * shares ({@code infer.ExecutorModels}); a test or a tool may make its own.
 */
public final class ModelPool {
  private static final Logger LOG = LoggerFactory.getLogger(ModelPool.class);
  private String loadedKey;
  private LanguageModel loaded;
  private long loads;
  private int openLeases;

  /** A hold on the loaded model; close it (from any thread) to let the pool replace the model. */
  public final class Lease implements AutoCloseable {
    private final LanguageModel model;
    private final String key;
    private boolean closed;

    private Lease(LanguageModel model, String key) {
      this.model = model;
      this.key = key;
    }

    public LanguageModel model() {
      return model;
    }

    /** Whether this lease holds the model that {@link #lease} would give for these arguments. */
    public boolean serves(ModelSpec spec, int maxLength, List<Device> devices) {
      return !closed && key.equals(key(spec, maxLength, devices));
    }

    @Override
    public void close() {
      synchronized (ModelPool.this) {
        if (!closed) {
          closed = true;
          openLeases--;
          ModelPool.this.notifyAll();
        }
      }
    }
  }

  /** As {@link #lease(ModelSpec, int, int, List, DeviceMemory)} on one device. */
  public Lease lease(ModelSpec spec, int maxLength, int torchThreads, Device device) {
    return lease(spec, maxLength, torchThreads, List.of(device), DeviceMemory.DEVICE_REPORTED);
  }

  /**
   * The model on {@code devices} (the GPUs Spark assigned to the task, or the CPU), loaded once per executor JVM
   * and kept until another model or device set is asked for and no lease is open. A checkpoint too large for the
   * first device is split by layers over the others, within {@code memory}'s weight budgets.
   *
   * @param torchThreads PyTorch intra-op threads (0 = PyTorch's default); read once, when the engine starts
   */
  public synchronized Lease lease(ModelSpec spec, int maxLength, int torchThreads, List<Device> devices,
                                         DeviceMemory memory) {
    String key = key(spec, maxLength, devices);
    while (!key.equals(loadedKey) && openLeases > 0) {
      awaitChange();
    }
    if (!key.equals(loadedKey)) {
      evictLocked();
      if (torchThreads > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
        // must be set before the PyTorch engine starts; in executors, one thread per task slot avoids oversubscription
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(torchThreads));
      }
      long t0 = System.nanoTime();
      try {
        loaded = Backends.of(spec.format()).load(spec, Path.of(spec.path()), maxLength, DeviceBudgets.of(memory, devices));
      } catch (Exception e) {
        throw new ModelLoadException(spec.id(), e);
      }
      loadedKey = key;
      loads++;
      LOG.info("loaded model {} from {} on {} in {} ms", spec.id(), spec.path(), devices, (System.nanoTime() - t0) / 1_000_000);
    }
    openLeases++;
    return new Lease(loaded, key);
  }

  /** Closes the loaded model, if any; refuses while a lease is open (a caller still computing, or one that leaked). */
  public synchronized void evict() {
    if (openLeases > 0) {
      throw new IllegalStateException("cannot evict the model: " + openLeases + " lease(s) still open");
    }
    evictLocked();
  }

  /** How many times a model was loaded in this JVM (a test checks it is once per model). */
  public synchronized long loads() {
    return loads;
  }

  private void evictLocked() {
    if (loaded != null) {
      loaded.close();
      loaded = null;
      loadedKey = null;
    }
  }

  private void awaitChange() {
    try {
      wait();
    } catch (InterruptedException e) {
      // Spark interrupts a task it kills or cancels: give up waiting, keep the flag for the caller
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the model pool", e);
    }
  }

  private static String key(ModelSpec spec, int maxLength, List<Device> devices) {
    return spec.id() + "@" + spec.resultRevision() + "/" + spec.format() + "#" + maxLength + "@" + devices;
  }
}

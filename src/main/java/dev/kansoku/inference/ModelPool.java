package dev.kansoku.inference;

import dev.kansoku.config.ModelSpec;
import java.nio.file.Path;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model loaded in this JVM (a Spark executor, or the driver in local mode). Loading is the expensive
 * step, so a model stays loaded across partitions and tasks until a different one is asked for; then the old
 * one is closed first, so one executor never holds two models. Calls are serialised: the forward pass is
 * already multi-threaded inside PyTorch.
 */
public final class ModelPool {
  private static final Logger LOG = LoggerFactory.getLogger(ModelPool.class);
  private static String loadedKey;
  private static CausalLanguageModel loaded;
  private static long loads;

  private ModelPool() {}

  public static synchronized <T> T withModel(ModelSpec spec, int maxLength, int torchThreads,
                                             Function<CausalLanguageModel, T> work) {
    return withModel(spec, maxLength, torchThreads, ai.djl.Device.cpu(), work);
  }

  /**
   * The model on {@code device} (the GPU Spark assigned to the task, or the CPU), loaded once per executor JVM
   * and kept until another model or device is asked for.
   */
  public static synchronized <T> T withModel(ModelSpec spec, int maxLength, int torchThreads, ai.djl.Device device,
                                             Function<CausalLanguageModel, T> work) {
    String key = spec.id() + "@" + spec.revision() + "#" + maxLength + "@" + device;
    if (!key.equals(loadedKey)) {
      evict();
      if (torchThreads > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
        // must be set before the PyTorch engine starts; in executors, one thread per task slot avoids oversubscription
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(torchThreads));
      }
      long t0 = System.nanoTime();
      try {
        if (spec.generatedWeights()) {
          TinyLlamaFactory.ensureWeights(Path.of(spec.path()));
        }
        loaded = LlamaEngine.load(Path.of(spec.path()), Math.min(maxLength, spec.contextLength()), device);
      } catch (Exception e) {
        throw new ModelLoadException(spec.id(), e);
      }
      loadedKey = key;
      loads++;
      LOG.info("loaded model {} from {} on {} in {} ms", spec.id(), spec.path(), device, (System.nanoTime() - t0) / 1_000_000);
    }
    return work.apply(loaded);
  }

  /** Closes the loaded model, if any. */
  public static synchronized void evict() {
    if (loaded != null) {
      loaded.close();
      loaded = null;
      loadedKey = null;
    }
  }

  /** How many times a model was loaded in this JVM (a test checks it is once per model). */
  public static synchronized long loads() {
    return loads;
  }
}

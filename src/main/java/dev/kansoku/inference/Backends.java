package dev.kansoku.inference;

import dev.kansoku.config.Registry;
import java.util.ServiceLoader;

/** The backends on the classpath by {@code model.format} ({@code META-INF/services/dev.kansoku.inference.Backend}). */
public final class Backends {
  /** The registry, also what the configuration loader checks {@code model.format} against ({@link InferenceVocabulary}). */
  static final Registry<Backend> REGISTRY = load();

  private Backends() {}

  private static Registry<Backend> load() {
    Registry.Builder<Backend> b = Registry.builder("model format");
    java.util.TreeMap<String, Backend> byFormat = new java.util.TreeMap<>();
    for (Backend backend : ServiceLoader.load(Backend.class, Backend.class.getClassLoader())) {
      for (String format : backend.formats()) {
        if (byFormat.putIfAbsent(format, backend) != null) {
          throw new IllegalStateException("model format '" + format + "' registered twice");
        }
      }
    }
    byFormat.forEach((format, backend) -> b.add(format, () -> backend));
    return b.build();
  }

  /** The backend of {@code format}; an IllegalArgumentException naming the known formats otherwise. */
  public static Backend of(String format) {
    return REGISTRY.get(format);
  }
}

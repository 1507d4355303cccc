package dev.kansoku.inference;

import dev.kansoku.config.Registry;
import java.util.ServiceLoader;

/**
 * The architectures on the classpath ({@code META-INF/services/dev.kansoku.inference.Architecture}), by the
 * Hugging Face {@code architectures} string, as vLLM's model registry maps it to an implementation class. Adding a
 * family is one class and one line in the service file.
 */
public final class Architectures {
  private static final Registry<Architecture> REGISTRY = load();

  private Architectures() {}

  private static Registry<Architecture> load() {
    Registry.Builder<Architecture> b = Registry.builder("architecture");
    java.util.TreeMap<String, Architecture> byName = new java.util.TreeMap<>();
    for (Architecture a : ServiceLoader.load(Architecture.class, Architecture.class.getClassLoader())) {
      for (String name : a.names()) {
        if (byName.putIfAbsent(name, a) != null) {
          throw new IllegalStateException("architecture '" + name + "' registered twice");
        }
      }
    }
    if (byName.isEmpty()) {
      throw new IllegalStateException("no architecture on the classpath (META-INF/services/" + Architecture.class.getName() + ")");
    }
    byName.forEach((name, a) -> b.add(name, () -> a));
    return b.build();
  }

  /** The implementation of {@code name}, or null. */
  static Architecture find(String name) {
    return REGISTRY.contains(name) ? REGISTRY.get(name) : null;
  }

  /** Every registered architecture string, sorted. */
  public static java.util.Set<String> names() {
    return REGISTRY.names();
  }
}

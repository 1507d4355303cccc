package dev.kansoku.config;

import java.util.EnumMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The names in a task file that the floors above {@code config} define: dataset formats and prompt styles
 * ({@code task}), answer post-processing and metrics ({@code metric}). Each of those packages registers its
 * {@link Registry} through {@link ServiceLoader} ({@code META-INF/services/Vocabulary}), so the
 * loader checks every name without importing a floor above it.
 */
public interface Vocabulary {
  /** The kinds of names a task file uses, with the key that holds them. */
  enum Kind {
    DATASET_FORMAT, PROMPT_STYLE, ANSWER_POSTPROCESS, METRIC, MODEL_FORMAT
  }

  /** The registries this provider owns. */
  Map<Kind, Registry<?>> registries();

  /**
   * Every provider on the classpath, merged; fails when a kind has no provider (a jar built without its
   * service file would otherwise accept any name).
   */
  static Map<Kind, Registry<?>> loaded() {
    Map<Kind, Registry<?>> all = new EnumMap<>(Kind.class);
    for (Vocabulary v : ServiceLoader.load(Vocabulary.class, Vocabulary.class.getClassLoader())) {
      v.registries().forEach((kind, registry) -> {
        if (all.putIfAbsent(kind, registry) != null) {
          throw new IllegalStateException("two providers of " + kind + " on the classpath");
        }
      });
    }
    for (Kind kind : Kind.values()) {
      if (!all.containsKey(kind)) {
        throw new IllegalStateException("no provider of " + kind + " names on the classpath (META-INF/services/" + Vocabulary.class.getName() + ")");
      }
    }
    return all;
  }
}

package dev.kansoku.inference;

import dev.kansoku.config.Registry;
import dev.kansoku.config.Vocabulary;
import java.util.Map;

/** The inference floor's names for the config loader: model formats, one per registered {@link Backend}. */
public final class InferenceVocabulary implements Vocabulary {
  @Override
  public Map<Kind, Registry<?>> registries() {
    return Map.of(Kind.MODEL_FORMAT, Backends.REGISTRY);
  }
}

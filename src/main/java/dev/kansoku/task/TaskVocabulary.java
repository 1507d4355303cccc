package dev.kansoku.task;

import dev.kansoku.config.Registry;
import dev.kansoku.config.Vocabulary;
import java.util.Map;

/** The task floor's names for the config loader: dataset formats and prompt styles. */
public final class TaskVocabulary implements Vocabulary {
  @Override
  public Map<Kind, Registry<?>> registries() {
    return Map.of(Kind.DATASET_FORMAT, DatasetFormats.REGISTRY, Kind.PROMPT_STYLE, PromptStyles.REGISTRY);
  }
}

package dev.kansoku.metric;

import dev.kansoku.config.Registry;
import dev.kansoku.config.Vocabulary;
import java.util.Map;

/** The metric floor's names for the config loader: answer post-processing and metrics. */
public final class MetricVocabulary implements Vocabulary {
  @Override
  public Map<Kind, Registry<?>> registries() {
    return Map.of(Kind.ANSWER_POSTPROCESS, AnswerPostprocess.REGISTRY, Kind.METRIC, Metrics.REGISTRY);
  }
}

package dev.kansoku.metric;

import java.util.List;

/**
 * {@code bleu}: an example keeps its segment's n-gram statistics (and its own sentence BLEU, for reading); the task
 * score is corpus BLEU over the summed statistics ({@link CorpusMetrics#bleu}), as sacrebleu computes it.
 */
final class BleuMetric implements Metric {
  @Override
  public String name() {
    return "bleu";
  }

  @Override
  public List<ExampleScore> score(List<ChoiceResponse> responses, ScoringContext context) {
    ChoiceResponse r = ScoringContext.generation(responses);
    String prediction = context.prediction(r);
    Bleu.Stats stats = Bleu.stats(prediction, r.gold(), context.japaneseSegmenter());
    return List.of(new ExampleScore(name(), -1, Bleu.score(stats) / 100.0, prediction, r.gold(), stats.encode()));
  }

  @Override
  public AggregateState newState() {
    return new CorpusState(CorpusState.Kind.BLEU);
  }

  @Override
  public boolean corpus() {
    return true;
  }
}

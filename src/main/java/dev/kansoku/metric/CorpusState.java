package dev.kansoku.metric;

import java.util.ArrayList;
import java.util.List;

/**
 * The state of a corpus metric: every example's row (a few numbers each), because the score is not a function of
 * a running sum: BLEU's bootstrap resamples segments, the JP harness orders examples as its evaluator did.
 */
final class CorpusState implements AggregateState {
  enum Kind { BLEU, JP_HARNESS_ROUGE }

  private final Kind kind;
  private final List<CorpusMetrics.Segment> segments = new ArrayList<>();

  CorpusState(Kind kind) {
    this.kind = kind;
  }

  @Override
  public void add(String exampleId, double value, String detail) {
    segments.add(new CorpusMetrics.Segment(exampleId, value, detail));
  }

  @Override
  public AggregateState merge(AggregateState other) {
    CorpusState o = (CorpusState) other;
    if (o.kind != kind) {
      throw new IllegalArgumentException("cannot merge " + kind + " with " + o.kind);
    }
    segments.addAll(o.segments);
    return this;
  }

  @Override
  public long count() {
    return segments.size();
  }

  @Override
  public Result result(int evalDocs) {
    // BLEU's bootstrap draws segments by position: merged in partition order, as the table is read, a re-run of
    // the same table prints the same standard error
    CorpusMetrics.Result r = kind == Kind.BLEU
        ? CorpusMetrics.bleu(segments.stream().map(s -> Bleu.Stats.decode(s.detail())).toList())
        : CorpusMetrics.jpHarnessRouge(segments, evalDocs);
    return new Result(r.value(), r.stderr(), segments.size());
  }
}

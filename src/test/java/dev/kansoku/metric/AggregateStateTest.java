package dev.kansoku.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;
import org.junit.jupiter.api.Test;

/** Task-score states: mean and standard error as commons-math computes them, whatever the split into partitions. */
class AggregateStateTest {
  @Test
  void meanStateMergedFromPartitionsEqualsOnePass() {
    SplittableRandom random = new SplittableRandom(7);
    double[] values = new double[1001];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextInt(2) == 0 ? random.nextDouble() : 1.0;
    }
    AggregateState whole = Metrics.named("acc").newState();
    AggregateState[] parts = {new MeanState(), new MeanState(), new MeanState()};
    for (int i = 0; i < values.length; i++) {
      whole.add(Integer.toString(i), values[i], null);
      parts[i % 3].add(Integer.toString(i), values[i], null);
    }
    AggregateState merged = parts[2].merge(parts[0]).merge(new MeanState()).merge(parts[1]);
    double mean = java.util.Arrays.stream(values).average().orElseThrow();
    double stderr = new StandardDeviation(true).evaluate(values) / Math.sqrt(values.length);
    for (AggregateState s : new AggregateState[] {whole, merged}) {
      AggregateState.Result r = s.result(values.length);
      assertEquals(mean, r.value(), 1e-12);
      assertEquals(stderr, r.stderr(), 1e-12);
      assertEquals(values.length, r.n());
    }
  }

  @Test
  void oneExampleHasNoStandardError() {
    AggregateState s = new MeanState();
    s.add("0", 0.5, null);
    assertEquals(0.5, s.result(1).value());
    assertNull(s.result(1).stderr());
  }

  @Test
  void everyRegisteredMetricHasAStateAndCorpusStatesDoNotMergeAcrossKinds() {
    for (String name : Metrics.REGISTRY.names()) {
      assertEquals(0, Metrics.named(name).newState().count(), name);
    }
    AggregateState bleu = Metrics.named("bleu").newState();
    assertThrows(IllegalArgumentException.class, () -> bleu.merge(Metrics.named("rouge2_jp_harness").newState()));
  }
}

package dev.kansoku.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kansoku.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JP harness' XL-Sum aggregation against numpy itself (goldens from render_metric_goldens.py, numpy 1.24):
 * the legacy generator's draws after {@code np.random.seed(1234)} and rouge_score's bootstrap middle value.
 */
class JpHarnessRougeTest {
  private static JsonNode golden() throws Exception {
    return new ObjectMapper().readTree(TestPaths.REPO.resolve("src/test/resources/goldens/metrics/metrics.json").toFile())
        .get("jp_harness_bootstrap");
  }

  @Test
  void numpysLegacyChoiceDrawsTheSameIndices() throws Exception {
    NumpyLegacyRandom rnd = new NumpyLegacyRandom(1234);
    List<Integer> draws = new ArrayList<>();
    for (int i = 0; i < 37; i++) {
      draws.add(rnd.randint(37));
    }
    List<Integer> expected = new ArrayList<>();
    golden().get("first_draws_n37").forEach(n -> expected.add(n.asInt()));
    assertEquals(expected, draws);
  }

  @Test
  void theBootstrapMiddleEqualsRougeScoresAggregator() throws Exception {
    JsonNode g = golden();
    double[] f = new double[g.get("f").size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = g.get("f").get(i).asDouble();
    }
    assertEquals(g.get("mid_fmeasure").asDouble(), JpHarnessRouge.bootstrapMid(f), 1e-12);
  }
}

package dev.kansoku.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kansoku.config.RequestKind;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What changes a request id (everything that decides the response) and what must not. */
class RequestIdTest {
  private static String id(String model, String revision, String task, String version, String example, int choice, String kind,
                           String context, String continuation, int maxNew, List<String> stop, boolean special, double temperature,
                           double topP, int topK, long seed) {
    return RequestId.of(model, revision, task, version, example, choice, RequestKind.parse(kind), context, continuation, maxNew, stop,
        special, temperature, topP, topK, seed);
  }

  private static String greedy() {
    return id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.0, 1.0, 0, 0);
  }

  @Test
  void theSameRequestHasTheSameIdAndTheIdOfSchemeV1IsUnchanged() {
    assertEquals(greedy(), greedy());
    // a changed encoding would recompute every stored response: these ids are the ones scheme v1 gives, log-likelihood
    // requests with the pair-encoding rule of session 13 (their responses were scored anew once), generation requests
    // with the prompt shapes of session 17 (generated anew once)
    assertEquals(RequestId.sha256(canonical("loglikelihood", "pair:context-encoded-alone")), greedy());
    assertEquals(RequestId.sha256(canonical("generate_until", "gen:lanes;prompt-bucket-eighths;grouped-decode")),
        id("m", "r1", "t", "1.0", "e1", 0, "generate_until", "ctx", " cont", 0, List.of(), true, 0.0, 1.0, 0, 0));
  }

  /** The canonical text of a request like {@link #greedy()}, written out field by field as RequestId documents it. */
  private static String canonical(String... kindFields) {
    List<String> fields = new java.util.ArrayList<>(List.of("kansoku-request-v1", "m", "r1", "t", "1.0", "e1", "0"));
    fields.addAll(List.of(kindFields));
    fields.addAll(List.of("ctx", " cont", "0", "0", "true", "greedy"));
    StringBuilder b = new StringBuilder();
    for (String f : fields) {
      b.append(f.length()).append(':').append(f).append(';');
    }
    return b.toString();
  }

  @Test
  void everyFieldThatDecidesTheResponseChangesTheId() {
    Set<String> ids = new HashSet<>();
    ids.add(greedy());
    ids.add(id("m2", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r2", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t2", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.1", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e2", 0, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 1, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 0, "generate_until", "ctx", " cont", 0, List.of(), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx2", " cont", 0, List.of(), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", "cont", 0, List.of(), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", null, 0, List.of(), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 64, List.of(), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of("\n"), true, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of(), false, 0.0, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.2, 1.0, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.2, 0.95, 0, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.2, 1.0, 40, 0));
    ids.add(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.2, 1.0, 0, 7));
    assertEquals(18, ids.size(), "each changed field gives a new id");
  }

  @Test
  void fieldBoundariesCannotBeShiftedIntoTheSameId() {
    // "ab" + "c" and "a" + "bc" are different requests: every field is length-prefixed
    assertNotEquals(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ab", "c", 0, List.of(), true, 0.0, 1.0, 0, 0),
        id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "a", "bc", 0, List.of(), true, 0.0, 1.0, 0, 0));
    assertNotEquals(id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of("a", "b"), true, 0.0, 1.0, 0, 0),
        id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of("a;1:b"), true, 0.0, 1.0, 0, 0));
  }

  @Test
  void samplingSettingsOfAGreedyRequestDoNotChangeItsId() {
    // greedy decoding ignores top-p, top-k and the seed: ids stay those of before sampling existed
    assertEquals(greedy(), id("m", "r1", "t", "1.0", "e1", 0, "loglikelihood", "ctx", " cont", 0, List.of(), true, 0.0, 0.9, 50, 1234));
  }
}

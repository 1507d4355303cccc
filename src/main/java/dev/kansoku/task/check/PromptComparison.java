package dev.kansoku.task.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kansoku's requests for a task against a framework's golden, request by request: a request is identical
 * when the framework renders the same kind, context and continuation (a multiset match of digests, so the
 * framework's document order does not matter). Samples of one prompt (pass@k) count once, as the framework
 * renders each prompt once. The special-token choice is compared separately.
 *
 * @param identical Kansoku requests whose text the framework renders too
 * @param total     Kansoku's distinct requests
 * @param frameworkTotal requests the framework renders
 * @param onlyKansoku the first few requests the framework does not render (for the report)
 */
public record PromptComparison(String task, int identical, int total, int frameworkTotal, boolean specialTokensAgree,
                               List<Request> onlyKansoku) {
  private static final int SHOWN = 3;

  /** One of Kansoku's requests, as planned or as read back from the requests table. */
  public record Request(String exampleId, int choiceIndex, String kind, String context, String continuation,
                        boolean addSpecialTokens) {
  }

  public static PromptComparison of(String task, List<Request> kansoku, FrameworkGolden golden) {
    Map<String, Integer> remaining = new HashMap<>();
    for (String d : golden.digests()) {
      remaining.merge(d, 1, Integer::sum);
    }
    Set<List<Object>> seen = new LinkedHashSet<>();
    int identical = 0;
    int total = 0;
    boolean special = true;
    List<Request> missing = new ArrayList<>();
    for (Request r : kansoku) {
      if (!seen.add(List.of(r.exampleId(), r.kind(), r.context(), String.valueOf(r.continuation())))) {
        continue; // another sample of the same prompt
      }
      total++;
      special &= r.addSpecialTokens() == golden.addSpecialTokens();
      String d = PromptDigest.of(r.kind(), r.context(), r.continuation());
      Integer left = remaining.get(d);
      if (left != null && left > 0) {
        remaining.put(d, left - 1);
        identical++;
      } else if (missing.size() < SHOWN) {
        missing.add(r);
      }
    }
    return new PromptComparison(task, identical, total, golden.requests(), special, missing);
  }

  /** Every request Kansoku planned is one the framework renders (a run with --limit plans a subset). */
  public boolean everyPlannedIdentical() {
    return identical == total && specialTokensAgree;
  }
}

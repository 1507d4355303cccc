package dev.kansoku.task;

import dev.kansoku.config.RequestKind;
import dev.kansoku.config.TaskSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * bigcode-evaluation-harness {@code humaneval-unstripped} (and {@code jhumaneval-unstripped}): 0-shot, the
 * problem's prompt kept exactly as published (trailing newline included), generation stopped at the task's
 * stop words. The gold is the harness' reference, {@code "\n" + test + "\n" + "check(entry_point)"}, which
 * the code-execution sandbox appends to prompt + completion. One request per sample ({@code prompt.samples}).
 */
final class BigcodeHumanEvalPrompt implements PromptStyle {
  static final String NAME = "bigcode-humaneval";

  @Override
  public List<PlannedRequest> plan(TaskSpec task, List<Doc> evalDocs, List<Doc> fewshotDocs) {
    List<PlannedRequest> out = new ArrayList<>();
    for (Doc doc : evalDocs) {
      String reference = "\n" + doc.get("test") + "\n" + "check(" + doc.get("entry_point") + ")";
      TaskSpec.Request q = task.request();
      for (int sample = 0; sample < Math.max(1, task.prompt().samples()); sample++) {
        // each sample has its own seed, derived from the task's seed, the problem and the sample number
        PlannedRequest.Decoding decoding = q.temperature() > 0
            ? new PlannedRequest.Decoding(q.temperature(), q.topP(), q.topK(),
                RequestId.seed(Long.toString(q.seed()), task.id(), doc.id(), Integer.toString(sample)))
            : PlannedRequest.Decoding.GREEDY;
        out.add(new PlannedRequest(task.id(), task.version(), doc.id(), sample, RequestKind.GENERATE_UNTIL,
            doc.get("prompt"), null, q.maxNewTokens(), q.stop(), q.addSpecialTokens(), reference, decoding));
      }
    }
    return out;
  }
}

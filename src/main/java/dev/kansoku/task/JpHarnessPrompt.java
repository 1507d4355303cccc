package dev.kansoku.task;

import dev.kansoku.config.RequestKind;
import dev.kansoku.config.TaskSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The Japanese LM Evaluation Harness (Stability-AI fork, commit 9b42d41, as swallow-evaluation runs it for
 * MGSM, WMT20 and XL-Sum), built on lm-evaluation-harness 0.3:
 *
 * <ul>
 *   <li>the evaluator shuffles the documents with {@code random.Random(42)} and evaluates the first
 *       {@code limit} of that order; the same generator then draws every example's shots, in that order;
 *   <li>with a training split ({@code fewshot-file} ≠ {@code eval-file}): {@code rnd.sample(train, k)};
 *       without one: {@code rnd.sample(test, k + 1)} from the test documents in file order, the example
 *       itself dropped, first k kept;
 *   <li>prompt = description + join(FEWSHOT_SEP, [doc_to_text(s) + doc_to_target(s)]) + FEWSHOT_SEP +
 *       doc_to_text(doc), FEWSHOT_SEP = {@code fewshot-delimiter} ("\n\n" = SEP twice); no delimiter between
 *       text and target (targets carry their own leading space where the task wants one).
 * </ul>
 */
final class JpHarnessPrompt implements PromptStyle {
  static final String NAME = "jp-harness";

  @Override
  public List<PlannedRequest> planAll(TaskSpec task, List<Doc> allEvalDocs, List<Doc> fewshotDocs, int limit) {
    PythonRandom rnd = new PythonRandom(task.prompt().fewshotSeed());
    List<Doc> order = new ArrayList<>(allEvalDocs);
    rnd.shuffle(order);
    boolean ownTrainingSplit = !task.dataset().fewshotFile().equals(task.dataset().evalFile())
        || !java.util.Objects.equals(task.dataset().evalSplit(), task.dataset().fewshotSplit());
    List<Doc> testInFileOrder = allEvalDocs;
    return plan(task, PromptStyle.firstN(order, limit), ownTrainingSplit ? fewshotDocs : testInFileOrder, rnd, ownTrainingSplit);
  }

  @Override
  public List<PlannedRequest> plan(TaskSpec task, List<Doc> evalDocs, List<Doc> fewshotDocs) {
    return planAll(task, evalDocs, fewshotDocs, 0);
  }

  private static List<PlannedRequest> plan(TaskSpec task, List<Doc> docs, List<Doc> pool, PythonRandom rnd, boolean ownTrainingSplit) {
    TaskSpec.Prompt p = task.prompt();
    TaskSpec.Request q = task.request();
    List<PlannedRequest> out = new ArrayList<>();
    for (Doc doc : docs) {
      StringBuilder ctx = new StringBuilder(p.description());
      if (p.shots() > 0) {
        List<Doc> shots;
        if (ownTrainingSplit) {
          shots = rnd.sample(pool, p.shots());
        } else {
          shots = new ArrayList<>();
          for (Doc d : rnd.sample(pool, p.shots() + 1)) {
            if (!d.fields().equals(doc.fields())) {
              shots.add(d);
            }
          }
          shots = shots.subList(0, Math.min(p.shots(), shots.size()));
        }
        List<String> rendered = new ArrayList<>();
        for (Doc s : shots) {
          rendered.add(Templates.fill(p.inputTemplate(), s) + Templates.fill(p.outputTemplate(), s));
        }
        ctx.append(String.join(p.fewshotDelimiter(), rendered)).append(p.fewshotDelimiter());
      }
      ctx.append(Templates.fill(p.inputTemplate(), doc));
      String gold = Templates.fill(p.goldTemplate() != null ? p.goldTemplate() : p.outputTemplate(), doc);
      out.add(new PlannedRequest(task.id(), task.version(), doc.id(), -1, RequestKind.GENERATE_UNTIL, ctx.toString(), null,
          q.maxNewTokens(), q.stop(), q.addSpecialTokens(), gold).withSubset(doc.subset()));
    }
    return out;
  }
}

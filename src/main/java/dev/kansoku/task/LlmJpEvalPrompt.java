package dev.kansoku.task;

import dev.kansoku.config.RequestKind;
import dev.kansoku.config.TaskSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * llm-jp-eval v1.3.0 prompts (default template, no custom template): the Alpaca-style Japanese preamble,
 * the task instruction, then for each few-shot example {@code ### 入力:} / {@code ### 応答:} blocks, then the
 * evaluated input and an open {@code ### 応答:}.
 *
 * <p>Few-shot examples are the first N of llm-jp-eval's "train" split: the few-shot source file is read in
 * order, shuffled with {@code random.seed(seed)} and cut to its first 90 %. When the pool is the evaluation
 * file itself, an example never serves as its own shot: the next one in the shuffled order takes its place.
 */
final class LlmJpEvalPrompt implements PromptStyle {
  static final String NAME = "llm-jp-eval";
  static final String PREAMBLE = "以下は、タスクを説明する指示と、文脈のある入力の組み合わせです。要求を適切に満たす応答を書きなさい。";

  @Override
  public List<PlannedRequest> plan(TaskSpec task, List<Doc> evalDocs, List<Doc> fewshotDocs) {
    TaskSpec.Prompt p = task.prompt();
    // one more than needed, so that an evaluated example drawn as a shot can be replaced (only when the
    // pool is the evaluation file itself, e.g. JSQuAD until its train split is added)
    // "first-n": the loader already produced llm-jp-eval's train split (JMMLU); otherwise llm-jp-eval's own
    // train/dev cut of the source file
    List<Doc> pool = "first-n".equals(p.fewshotSampler())
        ? List.copyOf(fewshotDocs.subList(0, Math.min(p.shots() + 1, fewshotDocs.size())))
        : fewshotExamples(fewshotDocs, Math.min(p.shots() + 1, (int) (fewshotDocs.size() * 0.9)), p.fewshotSeed());
    List<PlannedRequest> out = new ArrayList<>();
    for (Doc doc : evalDocs) {
      List<Doc> shots = pool.stream().filter(s -> !s.fields().equals(doc.fields())).limit(p.shots()).toList();
      StringBuilder system = new StringBuilder(PREAMBLE).append("\n\n### 指示:\n").append(p.instruction());
      for (Doc shot : shots) {
        system.append("\n\n### 入力:\n").append(Templates.fill(p.inputTemplate(), shot))
            .append("\n\n### 応答:\n").append(Templates.fill(p.outputTemplate(), shot));
      }
      String prompt = system + "\n\n### 入力:\n" + Templates.fill(p.inputTemplate(), doc) + "\n\n### 応答:\n";
      out.add(new PlannedRequest(task.id(), task.version(), doc.id(), -1, RequestKind.GENERATE_UNTIL, prompt, null,
          task.request().maxNewTokens(), task.request().stop(), task.request().addSpecialTokens(),
          Templates.fill(p.outputTemplate(), doc)).withSubset(doc.subset()));
    }
    return out;
  }

  /** {@code random.seed(seed); random.shuffle(samples)}; train = first int(0.9 n); shots = train[:n]. */
  static List<Doc> fewshotExamples(List<Doc> pool, int shots, long seed) {
    List<Doc> shuffled = new ArrayList<>(pool);
    new PythonRandom(seed).shuffle(shuffled);
    List<Doc> train = shuffled.subList(0, (int) (shuffled.size() * 0.9));
    if (train.size() < shots) {
      throw new IllegalArgumentException("only " + train.size() + " few-shot examples available, " + shots + " requested");
    }
    return List.copyOf(train.subList(0, shots));
  }
}

package dev.kansoku.task;

import dev.kansoku.config.RequestKind;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.text.PyStrings;
import java.util.ArrayList;
import java.util.List;

/**
 * lm-evaluation-harness v0.4.2 {@code xwinograd_*}: "partial evaluation" multiple choice in multiple-input
 * mode. Each option is substituted for the blank and the sentence is cut there (one context per option); the
 * continuation is the rest of the sentence after the blank, prefixed by the target delimiter. The score is
 * the log-likelihood of that common continuation.
 *
 * <p>Few-shot examples follow {@code ContextSampler.get_context}: one {@code random.Random(seed)} for the
 * whole task, {@code sample(pool, shots)} per example in document order (the task has no fewshot split,
 * so no extra example is drawn), the evaluated example dropped if drawn — leaving shots − 1 examples, as
 * the harness does — and each shot rendered as the correct option's context, the target delimiter and the
 * continuation, joined and followed by the few-shot delimiter.
 */
final class LmEvalPartialEvaluation implements PromptStyle {
  static final String NAME = "lm-eval-partial-evaluation";

  @Override
  public List<PlannedRequest> plan(TaskSpec task, List<Doc> evalDocs, List<Doc> fewshotDocs) {
    TaskSpec.Prompt p = task.prompt();
    PythonRandom rnd = new PythonRandom(p.fewshotSeed());
    List<PlannedRequest> out = new ArrayList<>();
    for (Doc doc : evalDocs) {
      String labeled = "";
      if (p.shots() > 0) {
        List<Doc> drawn = rnd.sample(fewshotDocs, p.shots());
        List<String> shots = new ArrayList<>();
        for (Doc d : drawn) {
          if (!d.fields().equals(doc.fields())) {
            shots.add(choices(d).get(answerIndex(d)) + p.targetDelimiter() + target(d));
          }
        }
        labeled = String.join(p.fewshotDelimiter(), shots.subList(0, Math.min(p.shots(), shots.size())))
            + p.fewshotDelimiter();
      }
      List<String> choices = choices(doc);
      for (int i = 0; i < choices.size(); i++) {
        out.add(new PlannedRequest(task.id(), task.version(), doc.id(), i, RequestKind.LOGLIKELIHOOD,
            labeled + choices.get(i), p.targetDelimiter() + target(doc), 0, List.of(),
            task.request().addSpecialTokens(), String.valueOf(answerIndex(doc))));
      }
    }
    return out;
  }

  /** The sentence up to the blank, with each option in it. */
  static List<String> choices(Doc doc) {
    String s = doc.get("sentence");
    int idx = blank(doc, s);
    return List.of(s.substring(0, idx) + doc.get("option1"), s.substring(0, idx) + doc.get("option2"));
  }

  /** The rest of the sentence after the blank, stripped. */
  static String target(Doc doc) {
    String s = doc.get("sentence");
    return PyStrings.strip(s.substring(blank(doc, s) + 1));
  }

  static int answerIndex(Doc doc) {
    return switch (doc.get("answer")) {
      case "1" -> 0;
      case "2" -> 1;
      default -> throw new DatasetFormatException(doc.source(), "answer", "expected \"1\" or \"2\"");
    };
  }

  private static int blank(Doc doc, String s) {
    int idx = s.indexOf('_');
    if (idx < 0) {
      throw new DatasetFormatException(doc.source(), "sentence", "has no '_' blank");
    }
    return idx;
  }
}

package dev.kansoku.task;

import dev.kansoku.config.RequestKind;
import dev.kansoku.config.TaskSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * lm-evaluation-harness v0.4.2 {@code ConfigurableTask} prompts, for YAML tasks (OpenBookQA, HellaSwag, MMLU,
 * GSM8K, TriviaQA, BBH) and the SQuAD 2.0 class:
 * {@code description + join(fewshot_delimiter, [doc_to_text(s) + target_delimiter + target(s)]) +
 * fewshot_delimiter + doc_to_text(doc)} — the shot part absent at 0 shots.
 *
 * <ul>
 *   <li>doc_to_text = {@code input-template}; the description is templated per example (MMLU's subject).
 *   <li>Multiple choice ({@code request.kind = loglikelihood}): one request per choice, continuation =
 *       target delimiter + choice, where the choices are {@code choice-labels} (MMLU's A–D) or the example's
 *       {@code choice0..n} texts; a shot's target is its gold choice.
 *   <li>Generation: one request; a shot's target is {@code output-template}; the gold is
 *       {@code gold-template} (e.g. all TriviaQA aliases) or the output template.
 *   <li>Templates are Jinja templates in v0.4.2 ({@code utils.apply_template}), rendered by an
 *       {@code Environment} without {@code keep_trailing_newline}: one trailing newline of the template text
 *       is dropped (MMLU's description ends in one newline, not two; BBH's doc_to_text in none).
 *   <li>Shots: {@code random} = {@code ContextSampler}: one {@code random.Random(fewshot-seed)} per task,
 *       {@code sample(pool, shots)} per example in document order ({@code shots + 1} with
 *       {@code fewshot-extra-draw}), the example itself dropped if drawn, at most {@code shots} kept;
 *       {@code first-n} = the first shots of the pool (of the example's own subject when it has one).
 *   <li>{@code no-answer-continuation} (SQuAD 2.0): a second request, the log-likelihood of that continuation
 *       after the same context (choice index 1; the generation is choice 0).
 * </ul>
 */
final class LmEvalPrompt implements PromptStyle {
  static final String NAME = "lm-eval";

  /** lm-evaluation-harness' chat form exists for its YAML tasks; SQuAD 2.0's class-based task keeps its own prompt. */
  @Override
  public String chatRefusal(TaskSpec task) {
    return task.prompt().noAnswerContinuation() == null ? null
        : "the harness' SQuAD 2.0 task builds its prompt without a chat form (prompt.no-answer-continuation)";
  }

  @Override
  public List<PlannedRequest> plan(TaskSpec task, List<Doc> evalDocs, List<Doc> fewshotDocs) {
    TaskSpec.Prompt p = task.prompt();
    PythonRandom rnd = new PythonRandom(p.fewshotSeed());
    boolean multipleChoice = task.request().kind() == RequestKind.LOGLIKELIHOOD;
    List<PlannedRequest> out = new ArrayList<>();
    TaskSpec.Chat chat = task.chat();
    for (Doc doc : evalDocs) {
      StringBuilder context = new StringBuilder(Templates.fill(jinja(p.description()), doc));
      // the chat form is lm-evaluation-harness 0.4.13's, whose Jinja environment keeps a template's trailing
      // newline (keep_trailing_newline=True; v0.4.2's plain prompts drop one)
      ChatMessages messages = chat.template()
          ? new ChatMessages(chat.systemInstruction(), Templates.fill(p.description(), doc), p.fewshotDelimiter()) : null;
      if (p.shots() > 0) {
        List<String> shots = new ArrayList<>();
        for (Doc shot : shots(p, rnd, doc, fewshotDocs)) {
          shots.add(Templates.fill(jinja(p.inputTemplate()), shot) + p.targetDelimiter() + target(p, shot, multipleChoice, true));
          if (messages != null) {
            messages.shot(Templates.fill(p.inputTemplate(), shot), target(p, shot, multipleChoice, false), p.targetDelimiter(),
                p.fewshotDelimiter());
          }
        }
        context.append(String.join(p.fewshotDelimiter(), shots)).append(p.fewshotDelimiter());
      }
      context.append(Templates.fill(jinja(p.inputTemplate()), doc));
      String ctx = context.toString();
      String chatJson = messages == null ? null : messages.question(Templates.fill(p.inputTemplate(), doc), chat.fewshotAsMultiturn());
      // in chat form the harness (0.4.13 construct_requests) scores a choice without the target delimiter
      String choicePrefix = messages == null ? p.targetDelimiter() : "";
      TaskSpec.Request q = task.request();
      if (multipleChoice) {
        List<String> choices = choices(p, doc);
        String gold = String.valueOf(goldIndex(p, doc));
        for (int i = 0; i < choices.size(); i++) {
          out.add(new PlannedRequest(task.id(), task.version(), doc.id(), i, RequestKind.LOGLIKELIHOOD, ctx,
              choicePrefix + choices.get(i), 0, List.of(), q.addSpecialTokens(), gold).withSubset(doc.subset()).withChat(chatJson));
        }
      } else {
        String gold = Templates.fill(p.goldTemplate() != null ? p.goldTemplate() : p.outputTemplate(), doc);
        int index = p.noAnswerContinuation() != null ? 0 : -1;
        out.add(new PlannedRequest(task.id(), task.version(), doc.id(), index, RequestKind.GENERATE_UNTIL, ctx, null,
            q.maxNewTokens(), q.stop(), q.addSpecialTokens(), gold).withSubset(doc.subset()).withChat(chatJson));
        if (p.noAnswerContinuation() != null) {
          out.add(new PlannedRequest(task.id(), task.version(), doc.id(), 1, RequestKind.LOGLIKELIHOOD, ctx,
              p.noAnswerContinuation(), 0, List.of(), q.addSpecialTokens(), gold).withSubset(doc.subset()));
        }
      }
    }
    return out;
  }

  private static List<Doc> shots(TaskSpec.Prompt p, PythonRandom rnd, Doc doc, List<Doc> pool) {
    List<Doc> drawn;
    if ("first-n".equals(p.fewshotSampler())) {
      List<Doc> own = doc.subset() == null ? pool : pool.stream().filter(d -> doc.subset().equals(d.subset())).toList();
      if (own.size() < p.shots()) {
        throw new DatasetFormatException(doc.source(), "fewshot", "only " + own.size() + " few-shot examples for subject '" + doc.subset() + "', " + p.shots() + " needed");
      }
      drawn = own.subList(0, p.shots());
    } else {
      drawn = rnd.sample(pool, p.fewshotExtraDraw() ? p.shots() + 1 : p.shots());
    }
    List<Doc> kept = new ArrayList<>();
    for (Doc d : drawn) {
      if (!d.fields().equals(doc.fields())) {
        kept.add(d);
      }
    }
    return kept.subList(0, Math.min(p.shots(), kept.size()));
  }

  /** @param stripNewline v0.4.2's Jinja (one trailing newline of the template dropped) or 0.4.13's (kept) */
  private static String target(TaskSpec.Prompt p, Doc shot, boolean multipleChoice, boolean stripNewline) {
    if (multipleChoice) {
      return choices(p, shot).get(goldIndex(p, shot));
    }
    return Templates.fill(stripNewline ? jinja(p.outputTemplate()) : p.outputTemplate(), shot);
  }

  /**
   * The template text as Jinja's lexer leaves it with {@code keep_trailing_newline = False} (Jinja's default,
   * which v0.4.2 keeps): a single trailing newline is not part of the template.
   */
  static String jinja(String template) {
    return template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
  }

  /** The continuations of a multiple-choice example: fixed labels or the example's own choice texts. */
  static List<String> choices(TaskSpec.Prompt p, Doc doc) {
    if (!p.choiceLabels().isEmpty()) {
      return p.choiceLabels();
    }
    int n = Integer.parseInt(doc.get("choice_count"));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(doc.get("choice" + i));
    }
    return out;
  }

  private static int goldIndex(TaskSpec.Prompt p, Doc doc) {
    int gold;
    try {
      gold = Integer.parseInt(doc.get("gold"));
    } catch (NumberFormatException e) {
      throw new DatasetFormatException(doc.source(), "gold", "not a choice index: " + doc.get("gold"));
    }
    int n = choices(p, doc).size();
    if (gold < 0 || gold >= n) {
      throw new DatasetFormatException(doc.source(), "gold", "choice index " + gold + " outside 0-" + (n - 1));
    }
    return gold;
  }
}

package dev.kansoku.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.RequestKind;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.task.check.FrameworkGolden;
import dev.kansoku.task.check.PromptComparison;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Prompt parity with the reference frameworks' own code: every request Kansoku plans from the published files
 * (or, for the datasets not available here, fixtures in their published formats) is compared with what the
 * framework renders from the same files — lm-evaluation-harness v0.4.2, and the JP LM Evaluation Harness,
 * llm-jp-eval 1.3.0 and bigcode-evaluation-harness as swallow-evaluation v202407 holds them. The goldens
 * ({@code goldens/frameworks/<task>.json.gz}) are written by {@code src/test/python/framework_prompts/render_all.sh},
 * which imports each framework at its tag; every request of every task is compared by digest, and the
 * special-token choice, stop sequences and generation budget against the framework's rule.
 */
class PromptGoldensTest {
  private static final Path FIX = TestPaths.REPO.resolve("src/test/resources/fixtures");
  private static final Path GOLDENS = TestPaths.REPO.resolve("src/test/resources/goldens/frameworks");
  /** The JP harness stops at the model's EOS token, which Kansoku always does; the golden names it so. */
  private static final String MODEL_EOS = "<model eos>";

  /** The task as configured, reading its data from {@code eval}/{@code fewshot} (relative to shared or fixtures). */
  static TaskSpec taskReading(String id, String format, String eval, String fewshot, String reference, Integer shots) {
    Map<String, Object> o = new HashMap<>();
    o.put("task.dataset.eval-file", resolve(eval));
    o.put("task.dataset.fewshot-file", resolve(fewshot == null ? eval : fewshot));
    if (format != null) {
      o.put("task.dataset.format", format);
    }
    if (reference != null) {
      o.put("task.dataset.reference-file", resolve(reference));
    }
    if (shots != null) {
      o.put("task.prompt.shots", shots);
    }
    return new ConfigLoader(TestPaths.CONF).task(TestPaths.CONF.resolve("tasks/" + id + ".conf"), o);
  }

  private static String resolve(String p) {
    return p.startsWith("fixtures/") ? FIX.resolve(p.substring("fixtures/".length())).toString()
        : TestPaths.sharedBenchmarks().resolve(p).toString();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      // golden | task | format override | eval file | few-shot file | reference file | shots override | known to differ
      "openbookqa | openbookqa | - | openbookqa/test.jsonl | openbookqa/train.jsonl | - | - | 0",
      "hellaswag | hellaswag | - | hellaswag/hellaswag_val_full.txt.bz2 | hellaswag/hellaswag_val_full.txt.bz2 | - | - | 0",
      "hellaswag_jsonl | hellaswag | hellaswag-jsonl | fixtures/hellaswag/hellaswag_val.jsonl | fixtures/hellaswag/hellaswag_train.jsonl | - | 1 | 0",
      "mmlu | mmlu | - | mmlu/test | mmlu/dev | - | - | 0",
      "gsm8k | gsm8k | - | gsm8k/test.jsonl | gsm8k/train.jsonl | - | - | 0",
      "bbh | bbh | - | bbh/bbh | - | - | - | 0",
      "triviaqa | triviaqa | - | fixtures/triviaqa/qa/wikipedia-dev.json | fixtures/triviaqa/qa/wikipedia-train.json | - | - | 0",
      "squad2 | squad2 | - | fixtures/squad2/dev-v2.0.json | fixtures/squad2/train-v2.0.json | - | - | 0",
      "xwino_en | xwino_en | - | xwino_en/dataset.tsv | xwino_en/dataset.tsv | - | - | 0",
      "mgsm_ja | mgsm_ja | - | mgsm_ja/mgsm_ja.tsv | mgsm_ja/exemplars.py | - | - | 0",
      "wmt20_en_ja | wmt20_en_ja | - | wmt20_en_ja/newstest2020.en | - | wmt20_en_ja/newstest2020.ja | - | 0",
      "wmt20_ja_en | wmt20_ja_en | - | wmt20_ja_en/newstest2020.ja | - | wmt20_ja_en/newstest2020.en | - | 0",
      "xlsum_ja | xlsum_ja | - | fixtures/xlsum_ja/test.jsonl | fixtures/xlsum_ja/train.jsonl | - | - | 0",
      "jcommonsenseqa | jcommonsenseqa | - | jcommonsenseqa/valid-v1.1.json | jcommonsenseqa/train-v1.1.json | - | - | 0",
      "jemhopqa | jemhopqa | - | jemhopqa/dev.json | jemhopqa/train.json | - | - | 0",
      "niilc | niilc | - | niilc/NIILC-ECQA2015_test.xml | niilc/NIILC-ECQA2015_dev.xml | - | - | 0",
      "jsquad | jsquad | - | jsquad/valid-v1.1.json | jsquad/valid-v1.1.json | - | - | 4",
      "jmmlu | jmmlu | - | jmmlu/JMMLU | jmmlu/JMMLU | - | - | 0",
      "humaneval | humaneval | - | humaneval/HumanEval.jsonl.gz | - | - | - | 0",
      "jhumaneval | jhumaneval | - | jhumaneval/jhuman-eval.jsonl.gz | - | - | - | 0",
  })
  void everyRequestEqualsTheFrameworksOwnRendering(String key, String task, String format, String eval, String fewshot,
                                                   String reference, Integer shots, int knownToDiffer) throws Exception {
    assumeTrue(TestPaths.hasShared(), "../shared/benchmarks not present");
    FrameworkGolden golden = FrameworkGolden.read(GOLDENS.resolve(key + ".json.gz"));
    TaskSpec spec = taskReading(task, format, eval, fewshot, reference, shots);
    List<PlannedRequest> planned = TaskPlan.build(spec, 0).requests();
    PromptComparison c = PromptComparison.of(key, asCompared(planned), golden);

    assertEquals(golden.addSpecialTokens(), spec.request().addSpecialTokens(),
        key + ": add_special_tokens must follow " + golden.addSpecialTokensRule());
    // JSQuAD: the training file is missing, so both take few-shots from the validation file, and Kansoku never
    // shows a question its own answer (4 questions of the validation file are among the first 4 shots)
    assertTrue(c.identical() == c.total() - knownToDiffer && c.total() == c.frameworkTotal(), () -> key + ": " + c.identical() + " of "
        + c.total() + " requests identical to the framework's " + c.frameworkTotal() + "; first not rendered by "
        + golden.framework() + ":\n" + c.onlyKansoku().stream().findFirst().map(PromptGoldensTest::show).orElse("-")
        + "\nthe framework's first request:\n" + golden.samples().get(0).context() + "|" + golden.samples().get(0).continuation());

    List<List<String>> stops = golden.stopSequences().stream()
        .map(s -> s.stream().filter(x -> !x.equals(MODEL_EOS)).toList()).distinct().toList();
    if (spec.request().kind() != RequestKind.LOGLIKELIHOOD && !stops.equals(List.of(List.of()))) {
      assertEquals(stops, List.of(spec.request().stop()), key + ": stop sequences");
    }
    // the generation budget where the framework fixes it (lm-eval's max_gen_toks, llm-jp-eval's output_length)
    if (golden.maxNewTokens().size() == 1 && golden.maxNewTokens().get(0) > 0) {
      assertEquals(golden.maxNewTokens().get(0), spec.request().maxNewTokens(), key + ": max new tokens");
    }
  }

  static List<PromptComparison.Request> asCompared(List<PlannedRequest> planned) {
    return planned.stream().map(r -> new PromptComparison.Request(r.exampleId(), r.choiceIndex(), r.kind().label(), r.context(),
        r.continuation(), r.addSpecialTokens())).toList();
  }

  private static String show(PromptComparison.Request r) {
    return "example " + r.exampleId() + " choice " + r.choiceIndex() + ":\n" + r.context() + "|" + r.continuation();
  }
}

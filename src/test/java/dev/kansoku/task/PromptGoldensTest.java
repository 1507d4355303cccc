package dev.kansoku.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.TaskSpec;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Prompt parity for the tasks added with the full suite: the requests planned from the published files (or,
 * for the datasets not available here, fixtures in their published formats) equal, character for character,
 * those of {@code src/test/python/reference_prompts.py} — an independent transcription of each reference
 * framework run with CPython's own {@code random} (goldens committed in {@code goldens/prompts.json}).
 */
class PromptGoldensTest {
  private static final Path FIX = TestPaths.REPO.resolve("src/test/resources/fixtures");

  /** The task as configured, reading its data from {@code eval}/{@code fewshot} (relative to shared or fixtures). */
  static TaskSpec taskReading(String id, String format, String eval, String fewshot, String reference, Integer shots) {
    java.util.Map<String, Object> o = new java.util.HashMap<>();
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
      // golden key | task | format override | eval file | few-shot file | reference file | shots override
      "openbookqa | openbookqa | - | openbookqa/test.jsonl | openbookqa/train.jsonl | - | -",
      "hellaswag | hellaswag | - | hellaswag/hellaswag_val_full.txt.bz2 | hellaswag/hellaswag_val_full.txt.bz2 | - | -",
      "hellaswag_jsonl | hellaswag | hellaswag-jsonl | fixtures/hellaswag/hellaswag_val.jsonl | fixtures/hellaswag/hellaswag_train.jsonl | - | 1",
      "mmlu | mmlu | - | mmlu/test | mmlu/dev | - | -",
      "gsm8k | gsm8k | - | gsm8k/test.jsonl | gsm8k/train.jsonl | - | -",
      "bbh | bbh | - | bbh/bbh | - | - | -",
      "triviaqa | triviaqa | - | fixtures/triviaqa/qa/wikipedia-dev.json | fixtures/triviaqa/qa/wikipedia-train.json | - | -",
      "squad2 | squad2 | - | fixtures/squad2/dev-v2.0.json | fixtures/squad2/train-v2.0.json | - | -",
      "mgsm_ja | mgsm_ja | - | mgsm_ja/mgsm_ja.tsv | mgsm_ja/exemplars.py | - | -",
      "wmt20_en_ja | wmt20_en_ja | - | wmt20_en_ja/newstest2020.en | - | wmt20_en_ja/newstest2020.ja | -",
      "wmt20_ja_en | wmt20_ja_en | - | wmt20_ja_en/newstest2020.ja | - | wmt20_ja_en/newstest2020.en | -",
      "xlsum_ja | xlsum_ja | - | fixtures/xlsum_ja/test.jsonl | fixtures/xlsum_ja/train.jsonl | - | -",
      "jmmlu | jmmlu | - | jmmlu/JMMLU | jmmlu/JMMLU | - | -",
  })
  void requestsEqualTheReferenceFramework(String key, String task, String format, String eval, String fewshot, String reference,
                                          Integer shots) throws Exception {
    assumeTrue(TestPaths.hasShared(), "../shared/benchmarks not present");
    JsonNode golden = new ObjectMapper().readTree(TestPaths.REPO.resolve("src/test/resources/goldens/prompts.json").toFile()).get(key);
    TaskPlan plan = TaskPlan.build(taskReading(task, format, eval, fewshot, reference, shots), 0);
    List<PlannedRequest> planned = plan.requests();
    if (key.equals("mmlu") || key.equals("bbh")) {
      // the goldens take the first two examples of the first two subjects
      planned = firstTwoPerSubset(planned);
    }
    for (int i = 0; i < golden.size(); i++) {
      JsonNode g = golden.get(i);
      PlannedRequest r = planned.get(i);
      assertEquals(g.get("context").asText(), r.context(), key + " request " + i + " context");
      assertEquals(g.get("continuation").isNull() ? null : g.get("continuation").asText(), r.continuation(), key + " request " + i + " continuation");
      assertEquals(g.get("gold").asText(), r.gold(), key + " request " + i + " gold");
    }
    if (key.equals("jmmlu")) {
      assertEquals(3541, plan.examples(), "llm-jp-eval evaluates 3,541 JMMLU questions");
    }
  }

  private static List<PlannedRequest> firstTwoPerSubset(List<PlannedRequest> all) {
    List<String> subsets = all.stream().map(PlannedRequest::subset).distinct().limit(2).toList();
    List<PlannedRequest> out = new java.util.ArrayList<>();
    for (String s : subsets) {
      List<String> examples = all.stream().filter(r -> s.equals(r.subset())).map(PlannedRequest::exampleId).distinct().limit(2).toList();
      all.stream().filter(r -> examples.contains(r.exampleId())).forEach(out::add);
    }
    return out;
  }
}

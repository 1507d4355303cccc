package dev.kansoku.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigError;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.results.RequestRow;
import dev.kansoku.testkit.ReferencePython;
import dev.kansoku.text.chat.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code task.chat-template = true} against lm-evaluation-harness 0.4.13's own chat-form prompts: its TaskManager
 * loads the task, {@code build_all_requests(apply_chat_template=True, fewshot_as_multiturn=...)} builds the requests
 * with a real tokenizer's template (transformers' apply_chat_template, as the harness' HF model calls it); Kansoku
 * plans the same task in chat form and renders each request with the same template when it is crossed with the
 * model. Every (kind, context, continuation) must be equal, character for character, in both few-shot forms.
 *
 * <p>Shots are the first n of the few-shot split on both sides ({@code first-n}; the harness' FirstNSampler): which
 * shots a random sampler draws is the plain prompt's business, checked against the harness' v0.4.2 by
 * PromptGoldensTest (0.4.13 draws differently); this test is about the chat form.
 */
class HarnessChatPromptsTest {
  @TempDir
  Path tmp;

  @ParameterizedTest(name = "{0} {4} multiturn={5}")
  @CsvSource(delimiter = '|', value = {
      // Kansoku task | lm-eval task | eval file | few-shot file | tokenizer | multiturn | shots | limit
      "openbookqa | openbookqa | openbookqa/test.jsonl | openbookqa/train.jsonl | llama3 | true | 4 | 6",
      "openbookqa | openbookqa | openbookqa/test.jsonl | openbookqa/train.jsonl | qwen3 | false | 4 | 6",
      "mmlu | mmlu_abstract_algebra | mmlu/test | mmlu/dev | qwen3 | true | 5 | 5",
      "mmlu | mmlu_abstract_algebra | mmlu/test | mmlu/dev | llama3 | false | 5 | 5",
      "gsm8k | gsm8k | gsm8k/test.jsonl | gsm8k/train.jsonl | llama3 | true | 4 | 4",
      "gsm8k | gsm8k | gsm8k/test.jsonl | gsm8k/train.jsonl | qwen3 | false | 0 | 4"})
  void chatFormPromptsAreTheHarnessOwn(String task, String lmEvalTask, String eval, String fewshot, String tokenizer,
                                       boolean multiturn, int shots, int limit) throws Exception {
    Path tokDir = npmTokenizers().resolve("tokenizer-" + tokenizer).resolve("models");
    Map<String, Object> o = new HashMap<>();
    o.put("task.dataset.eval-file", TestPaths.sharedBenchmarks().resolve(eval).toString());
    o.put("task.dataset.fewshot-file", TestPaths.sharedBenchmarks().resolve(fewshot).toString());
    o.put("task.prompt.shots", shots);
    o.put("task.chat-template", true);
    o.put("task.fewshot-as-multiturn", multiturn);
    o.put("task.prompt.fewshot-sampler", "first-n");
    TaskSpec spec = new ConfigLoader(TestPaths.CONF).task(TestPaths.CONF.resolve("tasks/" + task + ".conf"), o);
    ChatTemplate.Source template = ChatTemplate.fromModelDirectory(tokDir).orElseThrow().source();
    List<String> ours = new ArrayList<>();
    for (PlannedRequest r : TaskPlan.build(spec, limit).requests()) {
      RequestRow row = RequestRow.planned(r).forModel("m", "r", template);
      ours.add(key(r.kind().label(), row.context(), row.continuation()));
    }

    Path out = tmp.resolve("harness.json");
    Path script = TestPaths.REPO.resolve("src/test/python/framework_prompts/render_lm_eval_chat.py");
    ProcessBuilder pb = new ProcessBuilder(ReferencePython.interpreter().toString(), script.toString(), "--task", lmEvalTask,
        "--shots", Integer.toString(shots), "--limit", Integer.toString(limit), "--tokenizer", tokDir.toString(),
        "--multiturn", multiturn ? "1" : "0", "--first-n", "--out", out.toString())
        .directory(script.getParent().toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile());
    pb.environment().put("KANSOKU_SHARED", TestPaths.sharedBenchmarks().toString());
    pb.environment().put("KANSOKU_FIXTURES", TestPaths.REPO.resolve("src/test/resources/fixtures").toString());
    Process p = pb.start();
    assertEquals(0, p.waitFor(), Files.readString(tmp.resolve("log")));
    List<String> theirs = new ArrayList<>();
    for (JsonNode r : new ObjectMapper().readTree(out.toFile())) {
      theirs.add(key(r.get("kind").asText(), r.get("context").asText(), r.get("continuation").isNull() ? null : r.get("continuation").asText()));
    }
    assertEquals(theirs.size(), ours.size(), "requests");
    List<String> a = new ArrayList<>(theirs);
    List<String> b = new ArrayList<>(ours);
    a.sort(null);
    b.sort(null);
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).equals(b.get(i))) {
        int at = 0;
        while (at < Math.min(a.get(i).length(), b.get(i).length()) && a.get(i).charAt(at) == b.get(i).charAt(at)) {
          at++;
        }
        int from = Math.max(0, at - 120);
        throw new AssertionError("request " + i + " (sorted) differs at character " + at + ":\n  harness " + show(a.get(i), from, at)
            + "\n  kansoku " + show(b.get(i), from, at));
      }
    }
  }

  @Test
  void otherPromptStylesRefuseTheChatForm() {
    Map<String, Object> o = new HashMap<>();
    o.put("task.chat-template", true);
    TaskSpec spec = new ConfigLoader(TestPaths.CONF).task(TestPaths.CONF.resolve("tasks/jcommonsenseqa.conf"), o);
    ConfigError e = org.junit.jupiter.api.Assertions.assertThrows(ConfigError.class, () -> TaskPlan.build(spec, 2));
    assertTrue(e.getMessage().contains("task.chat-template") && e.getMessage().contains("has no chat form"), e.getMessage());
  }

  private static String show(String s, int from, int at) {
    return "…" + s.substring(from, Math.min(s.length(), at + 80)).replace("\n", "\\n").replace("\u0001", " ‖ ");
  }

  private static String key(String kind, String context, String continuation) {
    return kind + "\u0001" + context + "\u0001" + (continuation == null ? "\u0002" : continuation);
  }

  private static Path npmTokenizers() {
    String dir = System.getenv("KANSOKU_NPM_TOKENIZERS");
    if (dir != null && Files.isDirectory(Path.of(dir))) {
      return Path.of(dir);
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError("no KANSOKU_NPM_TOKENIZERS (set by .ci/run)");
    }
    Assumptions.abort("no KANSOKU_NPM_TOKENIZERS (.ci/run sets it)");
    return null;
  }
}

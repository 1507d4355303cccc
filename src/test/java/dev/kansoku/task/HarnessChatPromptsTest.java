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

  /** Kansoku task | lm-eval task | eval file | few-shot file | tokenizer | multiturn | shots | limit. */
  private static final String[] CASES = {
      "openbookqa | openbookqa | openbookqa/test.jsonl | openbookqa/train.jsonl | llama3 | true | 4 | 6",
      "openbookqa | openbookqa | openbookqa/test.jsonl | openbookqa/train.jsonl | qwen3 | false | 4 | 6",
      "mmlu | mmlu_abstract_algebra | mmlu/test | mmlu/dev | qwen3 | true | 5 | 5",
      "mmlu | mmlu_abstract_algebra | mmlu/test | mmlu/dev | llama3 | false | 5 | 5",
      "gsm8k | gsm8k | gsm8k/test.jsonl | gsm8k/train.jsonl | llama3 | true | 4 | 4",
      "gsm8k | gsm8k | gsm8k/test.jsonl | gsm8k/train.jsonl | qwen3 | false | 0 | 4"};

  @Test
  void chatFormPromptsAreTheHarnessOwn() throws Exception {
    ObjectMapper json = new ObjectMapper();
    var jobs = json.createArrayNode();
    List<List<String>> ours = new ArrayList<>();
    for (int c = 0; c < CASES.length; c++) {
      String[] f = CASES[c].split("\\s*\\|\\s*");
      boolean multiturn = Boolean.parseBoolean(f[5]);
      int shots = Integer.parseInt(f[6]);
      int limit = Integer.parseInt(f[7]);
      Path tokDir = npmTokenizers().resolve("tokenizer-" + f[4]).resolve("models");
      Map<String, Object> o = new HashMap<>();
      o.put("task.dataset.eval-file", TestPaths.sharedBenchmarks().resolve(f[2]).toString());
      o.put("task.dataset.fewshot-file", TestPaths.sharedBenchmarks().resolve(f[3]).toString());
      o.put("task.prompt.shots", shots);
      o.put("task.chat-template", true);
      o.put("task.fewshot-as-multiturn", multiturn);
      o.put("task.prompt.fewshot-sampler", "first-n");
      TaskSpec spec = new ConfigLoader(TestPaths.CONF).task(TestPaths.CONF.resolve("tasks/" + f[0] + ".conf"), o);
      ChatTemplate.Source template = ChatTemplate.fromModelDirectory(tokDir).orElseThrow().source();
      List<String> keys = new ArrayList<>();
      for (PlannedRequest r : TaskPlan.build(spec, limit).requests()) {
        RequestRow row = RequestRow.planned(r).forModel("m", "r", template);
        keys.add(key(r.kind().label(), row.context(), row.continuation()));
      }
      ours.add(keys);
      jobs.addObject().put("task", f[1]).put("shots", shots).put("limit", limit).put("tokenizer", tokDir.toString())
          .put("multiturn", multiturn).put("first_n", true).put("out", tmp.resolve("harness-" + c + ".json").toString());
    }
    Path jobFile = tmp.resolve("jobs.json");
    Files.writeString(jobFile, json.writeValueAsString(jobs));
    Path script = TestPaths.REPO.resolve("src/test/python/framework_prompts/render_lm_eval_chat.py");
    ProcessBuilder pb = new ProcessBuilder(ReferencePython.interpreter().toString(), script.toString(), jobFile.toString())
        .directory(script.getParent().toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile());
    pb.environment().put("KANSOKU_SHARED", TestPaths.sharedBenchmarks().toString());
    pb.environment().put("KANSOKU_FIXTURES", TestPaths.REPO.resolve("src/test/resources/fixtures").toString());
    Process p = pb.start();
    assertEquals(0, p.waitFor(), Files.readString(tmp.resolve("log")));
    int compared = 0;
    for (int c = 0; c < CASES.length; c++) {
      List<String> theirs = new ArrayList<>();
      for (JsonNode r : json.readTree(tmp.resolve("harness-" + c + ".json").toFile())) {
        theirs.add(key(r.get("kind").asText(), r.get("context").asText(), r.get("continuation").isNull() ? null : r.get("continuation").asText()));
      }
      assertEquals(theirs.size(), ours.get(c).size(), CASES[c] + ": requests");
      List<String> a = new ArrayList<>(theirs);
      List<String> b = new ArrayList<>(ours.get(c));
      a.sort(null);
      b.sort(null);
      for (int i = 0; i < a.size(); i++) {
        if (!a.get(i).equals(b.get(i))) {
          int at = 0;
          while (at < Math.min(a.get(i).length(), b.get(i).length()) && a.get(i).charAt(at) == b.get(i).charAt(at)) {
            at++;
          }
          int from = Math.max(0, at - 120);
          throw new AssertionError(CASES[c] + ": request " + i + " (sorted) differs at character " + at + ":\n  harness "
              + show(a.get(i), from, at) + "\n  kansoku " + show(b.get(i), from, at));
        }
        compared++;
      }
    }
    assertTrue(compared >= 60, "compared " + compared);
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

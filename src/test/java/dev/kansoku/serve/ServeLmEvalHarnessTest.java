package dev.kansoku.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kansoku.TestPaths;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.LoglikelihoodResult;
import dev.kansoku.inference.RandomCheckpoint;
import dev.kansoku.testkit.ReferencePython;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lm-evaluation-harness's own {@code local-completions} client (lm_eval 0.4.13's {@code LocalCompletionsAPI},
 * unchanged) against {@code kansoku serve}: with the harness tokenizing locally (transformers' AutoTokenizer) and
 * through the server's /tokenize, /detokenize and /tokenizer_info, its log-likelihoods and is_greedy are the engine's
 * offline bits, and its generate_until text is the engine's generation.
 */
class ServeLmEvalHarnessTest {
  private static final List<LoglikelihoodRequest> REQUESTS = List.of(
      new LoglikelihoodRequest("Question: What is the capital of Japan?\nAnswer:", " Tokyo", false),
      new LoglikelihoodRequest("質問：日本の首都はどこですか？\n答え：", "東京", false),
      new LoglikelihoodRequest("吾輩は猫である。名前はまだ無い。", "どこで生れたかとんと見当がつかぬ。", false),
      new LoglikelihoodRequest("The quick brown fox jumps over the lazy dog. ".repeat(12), "The end.", false));

  @Test
  void theHarnessesOwnClientGetsTheOfflineNumbers(@TempDir Path tmp) throws Exception {
    ReferencePython.interpreter();
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    ObjectMapper json = new ObjectMapper();
    try (DjlEngine engine = DjlEngine.load(TestPaths.TINY_MODEL, 512);
         CompletionServer server = CompletionServer.start(engine,
             new CompletionServer.Settings("127.0.0.1", 0, "kansoku-tiny", null, 16, BatchShapes.DEFAULT, 8))) {
      List<LoglikelihoodResult> offline = engine.withPrefixReuse(false).loglikelihood(REQUESTS, BatchShapes.DEFAULT);
      ObjectNode cases = json.createObjectNode();
      var ll = cases.putArray("loglikelihood");
      for (LoglikelihoodRequest r : REQUESTS) {
        ll.addObject().put("context", r.context()).put("continuation", r.continuation());
      }
      cases.putObject("generate").put("context", "吾輩は猫である。").put("max_gen_toks", 24).putArray("until").add("。");
      Files.writeString(tmp.resolve("cases.json"), cases.toString());
      ReferencePython.run(tmp.resolve("harness.log"), 5, "lm_eval_client_check.py", "--base-url",
          "http://127.0.0.1:" + server.port() + "/v1/completions", "--model", "kansoku-tiny", "--tokenizer",
          TestPaths.TINY_MODEL.toString(), "--cases", tmp.resolve("cases.json").toString(), "--out", tmp.resolve("out.json").toString());
      JsonNode out = json.readTree(tmp.resolve("out.json").toFile());
      GenerationResult g = engine.generate(List.of(new GenerationRequest("吾輩は猫である。", List.of("。"), 24, false)), BatchShapes.DEFAULT).get(0);
      for (String backend : List.of("huggingface", "remote")) {
        JsonNode b = out.get(backend);
        for (int i = 0; i < REQUESTS.size(); i++) {
          assertEquals(Double.doubleToLongBits(offline.get(i).logLikelihood()),
              Double.doubleToLongBits(Double.parseDouble(b.get("scores").get(i).get(0).asText())), backend + " tokenizer, request " + i);
          assertEquals(offline.get(i).greedy(), b.get("scores").get(i).get(1).asBoolean(), backend + " is_greedy, request " + i);
        }
        assertEquals(g.text(), b.get("generation").asText(), backend + " generate_until");
      }
      System.out.println("lm-evaluation-harness local-completions against kansoku serve: " + REQUESTS.size()
          + " log-likelihoods bit-identical with both tokenizer backends; generate_until equal");
    }
  }
}

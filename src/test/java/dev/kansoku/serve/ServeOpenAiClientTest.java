package dev.kansoku.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.kansoku.TestPaths;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.LoglikelihoodResult;
import dev.kansoku.inference.RandomCheckpoint;
import dev.kansoku.testkit.ReferencePython;
import dev.kansoku.text.chat.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official {@code openai} Python client (src/test/python/requirements.txt; nobody here wrote it) against
 * {@code kansoku serve}: lm-evaluation-harness's two request styles, summed as the harness sums them, give the
 * engine's offline log-likelihood bits and is_greedy; a generation with stop strings gives the engine's text; the model
 * list and a refused {@code n = 2} come back as the client expects them. Through {@code client.chat.completions}, a
 * conversation is rendered by the chat template exactly as transformers' {@code apply_chat_template} renders it (text
 * and ids), and its answer is the completion of those ids; a conversation the template refuses is a 400 carrying the
 * template's message.
 */
class ServeOpenAiClientTest {
  @Test
  void theOfficialClientGetsTheOfflineNumbers(@TempDir Path tmp) throws Exception {
    Path python = ReferencePython.interpreter();
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    ObjectMapper json = new ObjectMapper();
    try (DjlEngine engine = DjlEngine.load(TestPaths.TINY_MODEL, 512);
         CompletionServer server = CompletionServer.start(engine,
             new CompletionServer.Settings("127.0.0.1", 0, "kansoku-tiny", "sesame", 16, BatchShapes.DEFAULT, 8))) {
      List<LoglikelihoodResult> offline = engine.withPrefixReuse(false).loglikelihood(CompletionServerTest.REQUESTS, BatchShapes.DEFAULT);
      ArrayNode cases = json.createArrayNode();
      for (var r : CompletionServerTest.REQUESTS) {
        long[][] pair = engine.encodePair(r);
        var c = cases.addObject();
        var ctx = c.putArray("context");
        for (long id : pair[0]) {
          ctx.add(id);
        }
        var cont = c.putArray("continuation");
        for (long id : pair[1]) {
          cont.add(id);
        }
      }
      Files.writeString(tmp.resolve("cases.json"), cases.toString());
      ReferencePython.run(tmp.resolve("client.log"), 5, "openai_client_check.py", "--base-url", "http://127.0.0.1:" + server.port() + "/v1",
          "--model", "kansoku-tiny", "--api-key", "sesame", "--cases", tmp.resolve("cases.json").toString(), "--out",
          tmp.resolve("out.json").toString());
      JsonNode out = json.readTree(tmp.resolve("out.json").toFile());
      for (int i = 0; i < offline.size(); i++) {
        JsonNode s = out.get("scores").get(i);
        long expected = Double.doubleToLongBits(offline.get(i).logLikelihood());
        // Python's repr of a float reads back to the same double
        assertEquals(expected, Double.doubleToLongBits(Double.parseDouble(s.get("new").asText())), "0.4.4 style, request " + i);
        assertEquals(expected, Double.doubleToLongBits(Double.parseDouble(s.get("old").asText())), "0.4.3 style, request " + i);
        assertEquals(offline.get(i).greedy(), s.get("new_greedy").asBoolean());
        assertEquals(offline.get(i).greedy(), s.get("old_greedy").asBoolean());
      }
      GenerationResult g = engine.generate(List.of(new GenerationRequest("吾輩は猫である。", List.of("。"), 24, false)), BatchShapes.DEFAULT).get(0);
      assertEquals(g.text(), out.get("generation").get("text").asText());
      assertEquals(g.generatedIds().length, out.get("generation").get("completion_tokens").asInt());
      assertEquals("kansoku-tiny", out.get("models").get(0).asText());
      assertEquals(400, out.get("n2").get("status").asInt(), out.toString());
      assertEquals("n", out.get("n2").get("param").asText(), out.toString());
      System.out.println("openai " + out.get("client").asText() + " against kansoku serve: " + offline.size()
          + " requests in both harness styles bit-identical; generation equal");
    }
  }

  @Test
  void theOfficialClientChatsThroughTheTemplateAsTransformersRendersIt(@TempDir Path tmp) throws Exception {
    ReferencePython.interpreter();
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    Path templateFile = TestPaths.REPO.resolve("src/test/resources/chat-templates/chatml.jinja");
    ChatTemplate template = ChatTemplate.fromFile(templateFile, TestPaths.TINY_MODEL);
    ObjectMapper json = new ObjectMapper();
    try (DjlEngine engine = DjlEngine.load(TestPaths.TINY_MODEL, 512);
         CompletionServer server = CompletionServer.start(engine, new CompletionServer.Settings("127.0.0.1", 0, "kansoku-tiny", "sesame",
             16, BatchShapes.DEFAULT, 8, template, CompletionServer.ChatContentFormat.STRING))) {
      Files.writeString(tmp.resolve("cases.json"), "[]");
      ReferencePython.run(tmp.resolve("client.log"), 5, "openai_client_check.py", "--base-url", "http://127.0.0.1:" + server.port() + "/v1",
          "--model", "kansoku-tiny", "--api-key", "sesame", "--cases", tmp.resolve("cases.json").toString(), "--out",
          tmp.resolve("out.json").toString(), "--chat-template", templateFile.toString(), "--model-dir", TestPaths.TINY_MODEL.toString());
      JsonNode chats = json.readTree(tmp.resolve("out.json").toFile()).get("chats");
      int answered = 0;
      for (JsonNode c : chats) {
        if (c.has("logprobs")) {
          // the client parses the chat logprobs: one entry per generated token, the top two, the chosen one first
          assertEquals(c.get("completion_tokens").asInt(), c.get("logprobs").size(), c.toString());
          StringBuilder text = new StringBuilder();
          for (JsonNode e : c.get("logprobs")) {
            assertEquals(2, e.get("top").size());
            assertEquals(e.get("top").get(0).asDouble(), e.get("logprob").asDouble(), 0.0, "greedy: the chosen token is the top one");
            text.append(e.get("token").asText());
          }
          assertEquals(c.get("content").asText(), text.toString(), "the tokens spell the answer");
          continue;
        }
        if (c.has("refused")) {
          assertEquals("the chat template refused the conversation: Conversation roles must alternate user/assistant/user/assistant/...",
              c.get("refused").asText());
          continue;
        }
        long[] ids = new long[c.get("ids").size()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = c.get("ids").get(i).asLong();
        }
        GenerationResult g = engine.generate(List.of(new GenerationRequest(null, List.of(), 12, false, 0.0, 1.0, 0, 0L, ids)),
            BatchShapes.DEFAULT).get(0);
        assertEquals(g.text(), c.get("chat").asText(), "chat answer = the engine's completion of the rendered ids");
        assertEquals(c.get("completion").asText(), c.get("chat").asText(), "chat = completions on transformers' rendering");
        assertEquals("assistant", c.get("chat_role").asText());
        assertEquals(ids.length, c.get("chat_prompt_tokens").asInt(), "the server's rendering has transformers' token count");
        answered++;
      }
      assertEquals(3, answered, chats.toString());
      assertEquals(5, chats.size());
    }
  }
}

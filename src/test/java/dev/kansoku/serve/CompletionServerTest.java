package dev.kansoku.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kansoku.TestPaths;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.LoglikelihoodResult;
import dev.kansoku.inference.RandomCheckpoint;
import dev.kansoku.text.chat.ChatTemplate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kansoku serve} over real HTTP (the JDK's client): both lm-evaluation-harness request styles score the bits
 * of the engine's offline log-likelihood, generation equals the engine's, errors come in OpenAI's envelope, and 32
 * concurrent clients lose and mix up nothing.
 */
class CompletionServerTest {
  static final List<LoglikelihoodRequest> REQUESTS = List.of(
      new LoglikelihoodRequest("Question: What is the capital of Japan?\nAnswer:", " Tokyo", false),
      new LoglikelihoodRequest("質問：日本の首都はどこですか？\n答え：", "東京", false),
      new LoglikelihoodRequest("吾輩は猫である。名前はまだ無い。", "どこで生れたかとんと見当がつかぬ。", false),
      new LoglikelihoodRequest("The quick brown fox jumps over the lazy dog. ".repeat(12), "The end.", false));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  static DjlEngine engine;
  static CompletionServer server;
  static String base;

  @BeforeAll
  static void serve() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    engine = DjlEngine.load(TestPaths.TINY_MODEL, 512);
    server = CompletionServer.start(engine, new CompletionServer.Settings("127.0.0.1", 0, "tiny", "sesame", 4, BatchShapes.DEFAULT, 40));
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.close();
    engine.close();
  }

  static HttpResponse<String> post(String path, String body, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode ok(String path, String body) throws Exception {
    HttpResponse<String> r = post(path, body, "sesame");
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  static String ids(long[] ids) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < ids.length; i++) {
      b.append(i == 0 ? "" : ",").append(ids[i]);
    }
    return b.append(']').toString();
  }

  @Test
  void bothHarnessStylesScoreTheOfflineBits() throws Exception {
    List<LoglikelihoodResult> offline = engine.withPrefixReuse(false).loglikelihood(REQUESTS, BatchShapes.DEFAULT);
    for (int i = 0; i < REQUESTS.size(); i++) {
      long[][] pair = engine.encodePair(REQUESTS.get(i));
      long[] whole = new long[pair[0].length + pair[1].length];
      System.arraycopy(pair[0], 0, whole, 0, pair[0].length);
      System.arraycopy(pair[1], 0, whole, pair[0].length, pair[1].length);
      // 0.4.4+: max_tokens 1, logprobs 1, the last entry is the generated token; up to 0.4.3: max_tokens 0, logprobs 10
      for (int maxTokens : new int[] {1, 0}) {
        JsonNode c = ok("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[" + ids(whole) + "],\"max_tokens\":" + maxTokens
            + ",\"logprobs\":" + (maxTokens == 1 ? 1 : 10) + ",\"echo\":true,\"temperature\":0,\"seed\":1234}").get("choices").get(0);
        JsonNode lp = c.get("logprobs");
        assertEquals(whole.length + maxTokens, lp.get("token_logprobs").size());
        assertTrue(lp.get("token_logprobs").get(0).isNull());
        double sum = 0;
        boolean greedy = true;
        for (int p = pair[0].length; p < whole.length; p++) {
          double v = lp.get("token_logprobs").get(p).asDouble();
          sum += v;
          double best = Double.NEGATIVE_INFINITY;
          for (JsonNode t : lp.get("top_logprobs").get(p)) {
            best = Math.max(best, t.asDouble());
          }
          greedy &= v == best;
        }
        assertEquals(Double.doubleToLongBits(offline.get(i).logLikelihood()), Double.doubleToLongBits(sum),
            "request " + i + " max_tokens " + maxTokens + ": " + offline.get(i).logLikelihood() + " vs " + sum);
        assertEquals(offline.get(i).greedy(), greedy, "is_greedy of request " + i);
      }
    }
  }

  @Test
  void generationIsTheEnginesAndTokenizationIsVllms() throws Exception {
    long[] prompt = engine.tokenizer().encode("吾輩は猫である。", false);
    GenerationResult expected = engine.generate(List.of(new GenerationRequest(null, List.of("。"), 24, false, 0.0, 1.0, 0, 0L, prompt)),
        BatchShapes.DEFAULT).get(0);
    JsonNode c = ok("/v1/completions", "{\"model\":\"tiny\",\"prompt\":" + ids(prompt) + ",\"max_tokens\":24,\"temperature\":0,\"stop\":[\"。\"]}");
    assertEquals(expected.text(), c.get("choices").get(0).get("text").asText());
    assertEquals(expected.generatedIds().length, c.get("usage").get("completion_tokens").asInt());
    JsonNode t = ok("/tokenize", "{\"prompt\":\"吾輩は猫である。\",\"add_special_tokens\":false}");
    assertEquals(ids(prompt), t.get("tokens").toString());
    assertEquals("吾輩は猫である。", ok("/detokenize", "{\"tokens\":" + ids(prompt) + "}").get("prompt").asText());
    HttpResponse<String> models = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).header("Authorization", "Bearer sesame")
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals("tiny", JSON.readTree(models.body()).get("data").get(0).get("id").asText());
  }

  @Test
  void badRequestsGetOpenAisEnvelope() throws Exception {
    record Case(String body, String key, int status, String param) {}
    long[] long600 = new long[600];
    for (Case c : List.of(
        new Case("{\"model\":\"tiny\",\"prompt\":\"x\"", "sesame", 400, null),
        new Case("{\"model\":\"other\",\"prompt\":\"x\"}", "sesame", 404, "model"),
        new Case("{\"model\":\"tiny\",\"prompt\":\"x\",\"n\":2}", "sesame", 400, "n"),
        new Case("{\"model\":\"tiny\",\"prompt\":\"x\",\"best_of\":3}", "sesame", 400, "best_of"),
        new Case("{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":5,\"logprobs\":1,\"echo\":true}", "sesame", 400, "logprobs"),
        new Case("{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":5,\"logprobs\":21}", "sesame", 400, "logprobs"),
        new Case("{\"model\":\"tiny\",\"prompt\":" + ids(long600) + ",\"max_tokens\":1}", "sesame", 400, "prompt"),
        new Case("{\"model\":\"tiny\",\"prompt\":\"x\"}", "wrong", 401, null))) {
      HttpResponse<String> r = post("/v1/completions", c.body(), c.key());
      assertEquals(c.status(), r.statusCode(), c.body() + " → " + r.body());
      JsonNode err = JSON.readTree(r.body()).get("error");
      assertTrue(err.hasNonNull("message") && err.hasNonNull("type"), r.body());
      assertEquals(c.param(), err.get("param").isNull() ? null : err.get("param").asText(), r.body());
    }
  }

  @Test
  void chatRequestsAreCheckedAndAModelWithoutATemplateIsRefused() throws Exception {
    record Case(String path, String body, int status, String param, String says) {}
    String user = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
    for (Case c : List.of(
        new Case("/v1/chat/completions", "{\"model\":\"tiny\"," + user + "}", 400, "messages", "no chat template"),
        new Case("/v1/chat/completions", "{\"model\":\"tiny\"," + user + ",\"logit_bias\":{\"1\":5}}", 400, "logit_bias", "not supported"),
        new Case("/v1/chat/completions", "{\"model\":\"tiny\"," + user + ",\"logprobs\":true,\"top_logprobs\":30}", 400, "top_logprobs", "0 to 20"),
        new Case("/v1/chat/completions", "{\"model\":\"tiny\"," + user + ",\"top_logprobs\":3}", 400, "top_logprobs", "needs"),
        new Case("/v1/chat/completions", "{\"model\":\"tiny\"," + user + ",\"presence_penalty\":0.5}", 400, "presence_penalty", "only 0"),
        new Case("/v1/chat/completions", "{\"model\":\"tiny\"," + user + ",\"tool_choice\":\"required\"}", 400, "tool_choice", "auto"),
        new Case("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[]}", 400, "messages", "non-empty"),
        new Case("/v1/chat/completions", "{\"model\":\"other\"," + user + "}", 404, "model", "does not exist"))) {
      HttpResponse<String> r = post(c.path(), c.body(), "sesame");
      assertEquals(c.status(), r.statusCode(), c.body() + " → " + r.body());
      JsonNode err = JSON.readTree(r.body()).get("error");
      assertEquals(c.param(), err.get("param").asText(), r.body());
      assertTrue(err.get("message").asText().contains(c.says()), r.body());
    }
    // the same engine with a template: a chat is the completion of the rendered conversation's ids
    ChatTemplate template = ChatTemplate.fromFile(TestPaths.REPO.resolve("src/test/resources/chat-templates/chatml.jinja"), TestPaths.TINY_MODEL);
    try (CompletionServer chat = CompletionServer.start(engine, new CompletionServer.Settings("127.0.0.1", 0, "tiny", null, 4,
        BatchShapes.DEFAULT, 4, template, CompletionServer.ChatContentFormat.STRING))) {
      String prompt = template.render(List.of(Map.of("role", "user", "content", "こんにちは")), ChatTemplate.Options.generationPrompt());
      long[] promptIds = engine.tokenizer().encode(prompt, false);
      HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + chat.port() + "/v1/chat/completions"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"こんにちは\"}],"
              + "\"max_tokens\":6,\"temperature\":0}")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode answer = JSON.readTree(r.body());
      GenerationResult g = engine.generate(List.of(new GenerationRequest(null, List.of(), 6, false, 0.0, 1.0, 0, 0L, promptIds)),
          BatchShapes.DEFAULT).get(0);
      assertEquals("chat.completion", answer.get("object").asText());
      assertEquals(g.text(), answer.get("choices").get(0).get("message").get("content").asText());
      assertEquals(promptIds.length, answer.get("usage").get("prompt_tokens").asInt());
    }
  }

  @Test
  void generatedTokensCarryTheirLogprobsAndTheTokensDoNotChange() throws Exception {
    String prompt = "吾輩は猫である。名前はまだ無い。";
    JsonNode plain = ok("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"" + prompt + "\",\"max_tokens\":8,\"temperature\":0}");
    JsonNode with = ok("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"" + prompt + "\",\"max_tokens\":8,\"temperature\":0,\"logprobs\":3}");
    JsonNode c = with.get("choices").get(0);
    assertEquals(plain.get("choices").get(0).get("text").asText(), c.get("text").asText(), "asking for logprobs changes no token");
    JsonNode lp = c.get("logprobs");
    int n = with.get("usage").get("completion_tokens").asInt();
    assertEquals(n, lp.get("tokens").size());
    // greedy: each chosen token is the most likely one, listed first among at most 3 alternatives
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double chosen = lp.get("token_logprobs").get(i).asDouble();
      JsonNode top = lp.get("top_logprobs").get(i);
      assertTrue(top.size() <= 3 && top.size() >= 1, top.toString());
      assertEquals(top.fields().next().getValue().asDouble(), chosen, 0.0, "greedy picks the top entry");
      assertEquals(lp.get("tokens").get(i).asText(), top.fields().next().getKey());
      sum += chosen;
    }
    // the same tokens scored in one whole pass (the offline path): equal within the cache-vs-whole-pass tolerance
    long[] promptIds = engine.tokenizer().encode(prompt, true);
    GenerationResult g = engine.generate(List.of(new GenerationRequest(null, List.of(), 8, false, 0.0, 1.0, 0, 0L, promptIds)),
        BatchShapes.DEFAULT).get(0);
    long[] whole = dev.kansoku.inference.TokenIds.concat(promptIds, g.generatedIds());
    var scores = engine.scorePrompts(List.of(whole), BatchShapes.DEFAULT).get(0);
    double offline = 0;
    for (int p = promptIds.length; p < whole.length; p++) {
      offline += scores.logProbs()[p - 1];
    }
    assertEquals(offline, sum, 1e-3, "Σ generated logprobs = the continuation's offline log-likelihood");
    // the chat form: token, logprob, bytes, top_logprobs
    ChatTemplate template = ChatTemplate.fromFile(TestPaths.REPO.resolve("src/test/resources/chat-templates/chatml.jinja"), TestPaths.TINY_MODEL);
    try (CompletionServer chat = CompletionServer.start(engine, new CompletionServer.Settings("127.0.0.1", 0, "tiny", null, 4,
        BatchShapes.DEFAULT, 4, template, CompletionServer.ChatContentFormat.STRING))) {
      HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + chat.port() + "/v1/chat/completions"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"こんにちは\"}],"
              + "\"max_tokens\":5,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2}")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode answer = JSON.readTree(r.body());
      JsonNode content = answer.get("choices").get(0).get("logprobs").get("content");
      assertEquals(answer.get("usage").get("completion_tokens").asInt(), content.size());
      StringBuilder text = new StringBuilder();
      for (JsonNode e : content) {
        assertEquals(2, e.get("top_logprobs").size());
        assertEquals(e.get("top_logprobs").get(0).get("logprob").asDouble(), e.get("logprob").asDouble(), 0.0);
        byte[] bytes = new byte[e.get("bytes").size()];
        for (int i = 0; i < bytes.length; i++) {
          bytes[i] = (byte) e.get("bytes").get(i).asInt();
        }
        assertEquals(e.get("token").asText(), new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        text.append(e.get("token").asText());
      }
      assertEquals("chat.completion", answer.get("object").asText());
    }
  }

  @Test
  void thirtyTwoClientsAtOnceLoseAndMixNothing() throws Exception {
    List<LoglikelihoodResult> offline = engine.withPrefixReuse(false).loglikelihood(REQUESTS, BatchShapes.DEFAULT);
    ExecutorService clients = Executors.newFixedThreadPool(32);
    List<Future<long[]>> answers = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int k = 0; k < 128; k++) {
      int i = k % REQUESTS.size();
      answers.add(clients.submit(() -> {
        long[][] pair = engine.encodePair(REQUESTS.get(i));
        long[] whole = new long[pair[0].length + pair[1].length];
        System.arraycopy(pair[0], 0, whole, 0, pair[0].length);
        System.arraycopy(pair[1], 0, whole, pair[0].length, pair[1].length);
        String body = "{\"model\":\"tiny\",\"prompt\":[" + ids(whole) + "],\"max_tokens\":0,\"logprobs\":1,\"echo\":true}";
        long start = System.nanoTime();
        while (true) {
          HttpResponse<String> r = post("/v1/completions", body, "sesame");
          if (r.statusCode() == 429) {
            // the queue holds 4: a client backs off as Retry-After says and tries again
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
            Thread.sleep(50);
            continue;
          }
          assertEquals(200, r.statusCode(), r.body());
          JsonNode lp = JSON.readTree(r.body()).get("choices").get(0).get("logprobs").get("token_logprobs");
          double sum = 0;
          for (int p = pair[0].length; p < whole.length; p++) {
            sum += lp.get(p).asDouble();
          }
          return new long[] {i, Double.doubleToLongBits(sum), System.nanoTime() - start};
        }
      }));
    }
    List<Long> latencies = new ArrayList<>();
    for (Future<long[]> f : answers) {
      long[] a = f.get();
      assertEquals(Double.doubleToLongBits(offline.get((int) a[0]).logLikelihood()), a[1], "an answer for another request");
      latencies.add(a[2]);
    }
    clients.shutdown();
    double seconds = (System.nanoTime() - t0) / 1e9;
    latencies.sort(null);
    System.out.printf("serve load: 128 requests from 32 clients in %.2f s (%.1f requests/s), latency p50 %.0f ms, p99 %.0f ms%n", seconds,
        128 / seconds, latencies.get(63) / 1e6, latencies.get(126) / 1e6);
  }
}

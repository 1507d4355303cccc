package dev.kansoku.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.LanguageModel;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.ModelFormatException;
import dev.kansoku.inference.RandomCheckpoint;
import dev.kansoku.pipeline.EvaluateJob;
import dev.kansoku.pipeline.EvaluationSummary;
import dev.kansoku.pipeline.SparkSessions;
import dev.kansoku.serve.CompletionServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP client backend ({@code model.format = "openai-completions"}) against {@code kansoku serve}: the demo suite
 * evaluated through the server scores every task as the local backend does; a server that drops the echo gives
 * error rows, not scores; a wrong endpoint stops the run before any work, naming the key.
 */
class ServedModelEvaluateTest {
  @TempDir
  static Path tmp;

  private static ResolvedRun run(Path conf, Path results, List<String> models) {
    Map<String, String> o = new java.util.LinkedHashMap<>(Map.of(
        "kansoku.results-dir", results.toString(),
        "kansoku.limit", "4",
        "kansoku.spark.master", "local[2]",
        "kansoku.spark.settings", "{\"spark.ui.enabled\" = \"false\"}",
        "kansoku.inference.torch-threads", "1"));
    o.put("kansoku.models", "[" + String.join(",", models.stream().map(m -> "\"" + m + "\"").toList()) + "]");
    return new ConfigLoader(conf).load(null, o);
  }

  private static void register(Path conf, String id, String endpoint) throws Exception {
    Files.writeString(conf.resolve("models/" + id + ".conf"), """
        model {
          id = "%s"
          revision = "seed-20241128"
          path = "data/models/kansoku-tiny-llama"
          format = "openai-completions"
          dtype = "fp32"
          context-length = 2048
          origin = "synthetic"
          backend { endpoint = "%s", served-name = "kansoku-tiny-llama", max-concurrency = 4, retries = 1 }
        }
        """.formatted(id, endpoint));
  }

  @Test
  void theDemoSuiteThroughTheServerScoresAsTheLocalBackend() throws Exception {
    Path conf = TestPaths.repoCopy(tmp);
    for (String code : List.of("humaneval", "jhumaneval")) {
      Path f = conf.resolve("tasks/" + code + ".conf");
      Files.writeString(f, Files.readString(f).replace("samples = 10", "samples = 2"));
    }
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    try (DjlEngine engine = DjlEngine.load(TestPaths.TINY_MODEL, 2048);
         CompletionServer server = CompletionServer.start(engine,
             new CompletionServer.Settings("127.0.0.1", 0, "kansoku-tiny-llama", null, 64, BatchShapes.DEFAULT, 8))) {
      register(conf, "kansoku-tiny-served", "http://127.0.0.1:" + server.port() + "/v1");
      ResolvedRun run = run(conf, tmp.resolve("results"), List.of("kansoku-tiny-llama", "kansoku-tiny-served"));
      SparkSession spark = SparkSessions.create(run.settings());
      try {
        EvaluationSummary s = new EvaluateJob(spark, run).run();
        assertEquals(0, s.failed(), "no request failed");
        Map<String, Double> local = new TreeMap<>();
        Map<String, Double> served = new TreeMap<>();
        for (EvaluationSummary.TaskScore t : s.scores()) {
          (t.modelId().equals("kansoku-tiny-llama") ? local : served).put(t.taskId() + "/" + t.metric(), t.value());
        }
        // the 16 tasks whose data the repository bundles (TriviaQA, SQuAD2 and XL-Sum are fetched by the user)
        assertEquals(16, local.keySet().stream().map(k -> k.split("/")[0]).distinct().count(), "the demo suite's tasks: " + local.keySet());
        assertEquals(local, served, "task scores through the server");
        System.out.println("served model: " + served.size() + " task scores equal to the local backend's");
      } finally {
        spark.stop();
      }
    }
  }

  @Test
  void withoutTokenizerJsonTheServersTokenizeGivesTheSameBits() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    Path bare = tmp.resolve("config-only");
    Files.createDirectories(bare);
    Files.copy(TestPaths.TINY_MODEL.resolve("config.json"), bare.resolve("config.json"));
    try (DjlEngine engine = DjlEngine.load(TestPaths.TINY_MODEL, 2048);
         CompletionServer server = CompletionServer.start(engine,
             new CompletionServer.Settings("127.0.0.1", 0, "kansoku-tiny-llama", null, 64, BatchShapes.DEFAULT, 8))) {
      Path conf = TestPaths.repoCopy(tmp.resolve("server-tokenizer"));
      String endpoint = "http://127.0.0.1:" + server.port() + "/v1";
      register(conf, "kansoku-tiny-local-tok", endpoint);
      Files.writeString(conf.resolve("models/kansoku-tiny-server-tok.conf"), Files.readString(conf.resolve("models/kansoku-tiny-local-tok.conf"))
          .replace("kansoku-tiny-local-tok", "kansoku-tiny-server-tok").replace("path = \"data/models/kansoku-tiny-llama\"", "path = \"" + bare + "\"")
          .replace("retries = 1 }", "retries = 1, tokenizer = \"server\" }"));
      var models = new ConfigLoader(conf).loadModels();
      OpenAiCompletionsBackend backend = new OpenAiCompletionsBackend();
      // without tokenizer.json and without the option: refused, naming the way out
      ModelFormatException missing = assertThrows(ModelFormatException.class, () -> backend.preflight(models.get("kansoku-tiny-local-tok"), bare, true));
      assertTrue(missing.getMessage().contains("tokenizer = \"server\""), missing.getMessage());
      var spec = models.get("kansoku-tiny-server-tok");
      backend.preflight(spec, bare, true);
      List<LoglikelihoodRequest> requests = List.of(new LoglikelihoodRequest("日本の首都は", "東京です", false),
          new LoglikelihoodRequest("def add(a, b):", "\n    return a + b", false), new LoglikelihoodRequest("Question: 1 + 1 = ", "2", false));
      try (LanguageModel viaServer = backend.load(spec, bare, 2048, List.of());
           LanguageModel viaLocal = backend.load(models.get("kansoku-tiny-local-tok"), TestPaths.TINY_MODEL, 2048, List.of())) {
        var a = viaServer.loglikelihood(requests);
        var b = viaLocal.loglikelihood(requests);
        for (int i = 0; i < requests.size(); i++) {
          assertEquals(Double.doubleToLongBits(b.get(i).logLikelihood()), Double.doubleToLongBits(a.get(i).logLikelihood()), "request " + i);
          assertEquals(b.get(i).greedy(), a.get(i).greedy());
          assertTrue(java.util.Arrays.equals(b.get(i).contextIds(), a.get(i).contextIds()), "context ids, request " + i);
        }
        var g = viaServer.generate(List.of(new dev.kansoku.inference.GenerationRequest("吾輩は猫である。", List.of("。"), 12, false)));
        var h = viaLocal.generate(List.of(new dev.kansoku.inference.GenerationRequest("吾輩は猫である。", List.of("。"), 12, false)));
        assertEquals(h.get(0).text(), g.get(0).text());
        assertTrue(viaServer.tokenPieces().isEmpty(), "no local pieces without tokenizer.json");
      }
      // profile tgi: generation from the text (the server encodes it, with its special tokens); log-likelihood refused
      Files.writeString(conf.resolve("models/kansoku-tiny-tgi.conf"), Files.readString(conf.resolve("models/kansoku-tiny-local-tok.conf"))
          .replace("kansoku-tiny-local-tok", "kansoku-tiny-tgi").replace("retries = 1 }", "retries = 1, profile = \"tgi\" }"));
      var tgi = new ConfigLoader(conf).loadModels().get("kansoku-tiny-tgi");
      try (LanguageModel viaText = backend.load(tgi, TestPaths.TINY_MODEL, 2048, List.of())) {
        var g = viaText.generate(List.of(new dev.kansoku.inference.GenerationRequest("吾輩は猫である。", List.of("。"), 12, false)));
        var local = engine.generate(List.of(new dev.kansoku.inference.GenerationRequest("吾輩は猫である。", List.of("。"), 12, true)),
            BatchShapes.DEFAULT);
        assertEquals(local.get(0).text(), g.get(0).text(), "the text prompt, encoded by the server as it encodes text");
        RemoteCallException e = assertThrows(RemoteCallException.class, () -> viaText.loglikelihood(requests));
        assertTrue(e.getMessage().contains("TGI"), e.getMessage());
      }
    }
  }

  @Test
  void aServerThatDropsTheEchoGivesErrorsNotScores() throws Exception {
    // the answer llama.cpp-style servers give to echo + logprobs: the generated token's entry only (llama.cpp#27174)
    HttpServer broken = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    broken.createContext("/v1/models", ex -> reply(ex, "{\"data\":[{\"id\":\"kansoku-tiny-llama\"}]}"));
    broken.createContext("/v1/completions", ex -> reply(ex, "{\"choices\":[{\"text\":\" x\",\"logprobs\":{\"tokens\":[\" x\"],"
        + "\"token_logprobs\":[-0.5],\"top_logprobs\":[{\" x\":-0.5}]}}]}"));
    broken.start();
    try {
      Path conf = TestPaths.repoCopy(tmp.resolve("broken"));
      register(conf, "kansoku-tiny-broken", "http://127.0.0.1:" + broken.getAddress().getPort() + "/v1");
      var spec = new ConfigLoader(conf).loadModels().get("kansoku-tiny-broken");
      OpenAiCompletionsBackend backend = new OpenAiCompletionsBackend();
      backend.preflight(spec, TestPaths.TINY_MODEL, true);
      try (LanguageModel m = backend.load(spec, TestPaths.TINY_MODEL, 2048, List.of())) {
        RemoteCallException e = assertThrows(RemoteCallException.class,
            () -> m.loglikelihood(List.of(new LoglikelihoodRequest("The capital of Japan is", " Tokyo", false))));
        assertTrue(e.getMessage().contains("does it echo"), e.getMessage());
      }
      register(conf, "kansoku-tiny-nowhere", "http://127.0.0.1:9/v1");
      var nowhere = new ConfigLoader(conf).loadModels().get("kansoku-tiny-nowhere");
      ModelFormatException e = assertThrows(ModelFormatException.class, () -> backend.preflight(nowhere, TestPaths.TINY_MODEL, true));
      assertEquals("model.backend.endpoint", e.key());
    } finally {
      broken.stop(0);
    }
  }

  @Test
  void busyServersAreRetriedAsTheySayAndBadRequestsNever() throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    HttpServer busy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    busy.createContext("/v1/models", ex -> reply(ex, "{\"data\":[{\"id\":\"kansoku-tiny-llama\"}]}"));
    busy.createContext("/v1/completions", ex -> {
      int n = calls.incrementAndGet();
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (body.contains("\"max_tokens\":7")) {
        reply(ex, 400, "{\"error\":{\"message\":\"max_tokens too large\",\"type\":\"invalid_request_error\"}}");
      } else if (n == 1) {
        ex.getResponseHeaders().set("Retry-After", "0");
        reply(ex, 429, "{\"error\":{\"message\":\"busy\",\"type\":\"rate_limit_error\"}}");
      } else {
        reply(ex, "{\"choices\":[{\"text\":\" Tokyo.\",\"finish_reason\":\"stop\"}]}");
      }
    });
    busy.start();
    try {
      Path conf = TestPaths.repoCopy(tmp.resolve("busy"));
      register(conf, "kansoku-tiny-busy", "http://127.0.0.1:" + busy.getAddress().getPort() + "/v1");
      var spec = new ConfigLoader(conf).loadModels().get("kansoku-tiny-busy");
      try (LanguageModel m = new OpenAiCompletionsBackend().load(spec, TestPaths.TINY_MODEL, 2048, List.of())) {
        var g = m.generate(List.of(new dev.kansoku.inference.GenerationRequest("The capital of Japan is", List.of("\n"), 8, false)));
        assertEquals(" Tokyo.", g.get(0).text());
        assertEquals(2, calls.get(), "one 429, then the answer");
        RemoteCallException e = assertThrows(RemoteCallException.class,
            () -> m.generate(List.of(new dev.kansoku.inference.GenerationRequest("x", List.of(), 7, false))));
        assertTrue(e.getMessage().contains("400") && e.getMessage().contains("max_tokens too large"), e.getMessage());
        assertEquals(3, calls.get(), "a 400 is not retried");
      }
    } finally {
      busy.stop(0);
    }
  }

  private static void reply(com.sun.net.httpserver.HttpExchange ex, String body) throws java.io.IOException {
    reply(ex, 200, body);
  }

  private static void reply(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws java.io.IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }
}

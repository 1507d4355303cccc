package dev.kansoku.tooling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kansoku.bench.PeakMemory;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.LoglikelihoodResult;
import dev.kansoku.inference.TokenIds;
import dev.kansoku.serve.CompletionServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code kansoku bench serve}: {@code kansoku serve} under concurrent clients on loopback, against the engine alone
 * computing the same work in the same process. Scoring requests go in lm-evaluation-harness 0.4.4+'s style (token
 * ids, echo, logprobs 1, max_tokens 1), each answer summed as the harness sums it and checked bit for bit against the
 * offline log-likelihood (prefix reuse off); generation requests as plain completions, checked against the engine's
 * text. Prints throughput, latency percentiles, the served/engine ratio and peak memory; asserts nothing but counts
 * lost or mismatched answers.
 */
public final class ServeBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ServeBenchmark() {}

  public static void run(Path modelDir, PeerBenchmark.Workload w, int clients, PrintWriter out) throws Exception {
    PeakMemory.resetResidentPeak();
    try (DjlEngine engine = DjlEngine.load(modelDir, 2048)) {
      List<long[][]> pairs = new ArrayList<>();
      for (LoglikelihoodRequest r : w.scoring()) {
        pairs.add(engine.encodePair(r));
      }
      List<long[]> prompts = pairs.stream().map(p -> TokenIds.concat(p[0], p[1])).toList();
      engine.scorePrompts(prompts.subList(0, Math.min(8, prompts.size())), BatchShapes.DEFAULT); // warm-up
      long t0 = System.nanoTime();
      engine.scorePrompts(prompts, BatchShapes.DEFAULT);
      engine.scorePrompts(prompts.stream().map(p -> Arrays.copyOf(p, p.length + 1)).toList(), BatchShapes.DEFAULT);
      double aloneScoring = (System.nanoTime() - t0) / 1e9;
      List<LoglikelihoodResult> offline = engine.withPrefixReuse(false).loglikelihood(w.scoring(), BatchShapes.DEFAULT);
      t0 = System.nanoTime();
      List<GenerationResult> generated = engine.generate(w.generation(), BatchShapes.DEFAULT);
      double aloneGeneration = (System.nanoTime() - t0) / 1e9;
      long tokens = prompts.stream().mapToLong(p -> p.length).sum();
      out.printf("model %s, %d scoring requests (%s, %,d tokens), %d generations (%s), %d clients, %d cores%n", modelDir,
          prompts.size(), w.scoringName(), tokens, w.generation().size(), w.generationName(), clients,
          Runtime.getRuntime().availableProcessors());
      out.flush();
      try (CompletionServer server = CompletionServer.start(engine, new CompletionServer.Settings("127.0.0.1", 0, "bench", null,
          Math.max(64, 2 * clients), BatchShapes.DEFAULT, clients))) {
        String url = "http://127.0.0.1:" + server.port() + "/v1/completions";
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(clients)).build();
        Run scoring = drive(http, url, clients, prompts.size(), i -> {
          ObjectNode b = JSON.createObjectNode().put("model", "bench").put("max_tokens", 1).put("logprobs", 1).put("echo", true)
              .put("temperature", 0);
          var ids = b.putArray("prompt").addArray();
          for (long id : prompts.get(i)) {
            ids.add(id);
          }
          return b;
        }, (i, answer) -> {
          JsonNode values = answer.path("choices").path(0).path("logprobs").path("token_logprobs");
          int ctx = pairs.get(i)[0].length;
          double sum = 0;
          for (int p = ctx; p < values.size() - 1; p++) {
            sum += values.get(p).asDouble();
          }
          return Double.doubleToLongBits(sum) == Double.doubleToLongBits(offline.get(i).logLikelihood());
        });
        Run generation = drive(http, url, clients, w.generation().size(), i -> {
          GenerationRequest g = w.generation().get(i);
          ObjectNode b = JSON.createObjectNode().put("model", "bench").put("prompt", g.prompt()).put("max_tokens", g.maxNewTokens())
              .put("temperature", 0).put("add_special_tokens", g.addSpecialTokens());
          var stop = b.putArray("stop");
          g.stopSequences().forEach(stop::add);
          return b;
        }, (i, answer) -> generated.get(i).text().equals(answer.path("choices").path(0).path("text").asText()));
        out.printf("| workload | engine alone (s) | served (s) | served/engine | requests/s | p50 (ms) | p99 (ms) | lost | differ |%n");
        out.printf("|---|---|---|---|---|---|---|---|---|%n");
        row(out, "scoring (echo + logprobs, max_tokens 1)", aloneScoring, scoring, prompts.size());
        row(out, "greedy generation", aloneGeneration, generation, w.generation().size());
        out.printf("peak resident memory %,d MB%n", PeakMemory.residentMb());
        out.flush();
      }
    }
  }

  private record Run(double seconds, List<Double> latenciesMs, int lost, int differ) {}

  private static void row(PrintWriter out, String name, double alone, Run r, int n) {
    List<Double> l = new ArrayList<>(r.latenciesMs());
    Collections.sort(l);
    double p50 = l.isEmpty() ? 0 : l.get((int) Math.floor(0.50 * (l.size() - 1)));
    double p99 = l.isEmpty() ? 0 : l.get((int) Math.floor(0.99 * (l.size() - 1)));
    out.printf("| %s | %.2f | %.2f | %.2f× | %.1f | %.0f | %.0f | %d | %d |%n", name, alone, r.seconds(), alone / r.seconds(),
        n / r.seconds(), p50, p99, r.lost(), r.differ());
    out.flush();
  }

  private interface Body {
    ObjectNode of(int i);
  }

  private interface Check {
    boolean ok(int i, JsonNode answer);
  }

  /** {@code clients} threads take request indices in turn until all {@code n} are answered. */
  private static Run drive(HttpClient http, String url, int clients, int n, Body body, Check check) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger lost = new AtomicInteger();
    AtomicInteger differ = new AtomicInteger();
    List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long t0 = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      done.add(pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
          long s = System.nanoTime();
          try {
            HttpResponse<String> r;
            do {
              r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body.of(i)))).build(), HttpResponse.BodyHandlers.ofString());
            } while (r.statusCode() == 429);
            if (r.statusCode() != 200) {
              lost.incrementAndGet();
              continue;
            }
            if (!check.ok(i, JSON.readTree(r.body()))) {
              differ.incrementAndGet();
            }
            latencies.add((System.nanoTime() - s) / 1e6);
          } catch (IOException | InterruptedException e) {
            lost.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    return new Run((System.nanoTime() - t0) / 1e9, latencies, lost.get(), differ.get());
  }
}

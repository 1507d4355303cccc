package dev.kansoku.tooling;

import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.LoglikelihoodResult;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kansoku.bench.PeakMemory;
import dev.kansoku.config.ModelSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code kansoku bench peer}: Kansoku and Hugging Face transformers on the same checkpoint (saved by transformers),
 * the same requests (token ids taken from Kansoku's encoding, so both compute on the same ids) and the same thread
 * count, in one run. Kansoku runs first in this JVM; then {@code src/test/python/peer_bench.py} runs transformers the way
 * lm-evaluation-harness's {@code hf} backend does (scoring: batches of 16 sorted longest first; generation:
 * {@code generate()} with its KV cache in left-padded batches of 8). Prints load time, scoring and generation tokens/s,
 * peak resident memory, the ratios Kansoku / transformers, and how far the results agree.
 */
public final class PeerBenchmark {
  private PeerBenchmark() {}

  /** The requests of one comparison: log-likelihood pairs and greedy generations. */
  public record Workload(String scoringName, List<LoglikelihoodRequest> scoring, String generationName, List<GenerationRequest> generation) {}

  /**
   * @param python the reference environment's interpreter
   * @param script {@code peer_bench.py}
   * @param tokenizerDir where tokenizer.json (and its config) come from: the checkpoint gets a copy
   * @param kansokuOnly stop after Kansoku's side (its timings line), to look at it alone while tuning
   */
  public static void run(Path python, Path script, Path workDir, Path tokenizerDir, Workload w, int threads, boolean kansokuOnly,
                         PrintWriter out) throws IOException, InterruptedException {
    Path model = workDir.resolve("peer-tinyllama-2l");
    if (!Files.isRegularFile(model.resolve("model.safetensors"))) {
      out.printf("writing the benchmark checkpoint with transformers (from_config + save_pretrained, fp32) to %s%n", model);
      out.flush();
      python(python, workDir.resolve("peer-make.log"), script.toString(), "--make", model.toString());
    }
    for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
      if (Files.isRegularFile(tokenizerDir.resolve(f))) {
        Files.copy(tokenizerDir.resolve(f), model.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    // DJL reads the property when its engine starts (the first load); a running engine is set directly after the load
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    // the engine's native library loads once per process, as `import torch` does on the other side: neither is timed
    ai.djl.engine.Engine.getEngine("PyTorch");
    System.gc();
    PeakMemory.resetResidentPeak();
    long t0 = System.nanoTime();
    Side kansoku;
    List<long[][]> pairs = new ArrayList<>();
    List<Object[]> prompts = new ArrayList<>();
    try (DjlEngine engine = DjlEngine.load(model, ModelSpec.FORMAT_HF_LLAMA, "fp32", 2048, ai.djl.Device.cpu())) {
      double load = seconds(t0);
      ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
      t0 = System.nanoTime();
      engine.loglikelihood(w.scoring().subList(0, 1));
      double first = seconds(t0);
      long passes = engine.forwardPasses();
      t0 = System.nanoTime();
      List<LoglikelihoodResult> scored = engine.loglikelihood(w.scoring());
      double scoring = seconds(t0);
      long scoringPasses = engine.forwardPasses() - passes;
      long beforeGeneration = engine.forwardPasses();
      t0 = System.nanoTime();
      List<GenerationResult> generated = engine.generate(w.generation());
      double generation = seconds(t0);
      out.printf("Kansoku: load %.2f s, first request %.2f s, scoring %.1f s (%d passes), generation %.1f s (%d passes)%n", load, first,
          scoring, scoringPasses,
          generation, engine.forwardPasses() - beforeGeneration);
      out.flush();
      scored.forEach(r -> pairs.add(new long[][] {r.contextIds(), r.continuationIds()}));
      for (int i = 0; i < generated.size(); i++) {
        prompts.add(new Object[] {generated.get(i).promptIds(), w.generation().get(i).maxNewTokens()});
      }
      kansoku = new Side(load - engine.tokenizerLoadSeconds(), engine.tokenizerLoadSeconds(), first, scoring, generation, generated.stream().mapToLong(g -> g.generatedIds().length).sum(),
          PeakMemory.residentMb(), scored.stream().map(LoglikelihoodResult::logLikelihood).toList(),
          generated.stream().map(GenerationResult::generatedIds).toList(), scoringPasses);
    }
    long tokens = pairs.stream().mapToLong(p -> p[0].length + p[1].length - 1).sum();
    if (kansokuOnly) {
      return;
    }
    ObjectMapper json = new ObjectMapper();
    Path requests = workDir.resolve("peer-requests.json");
    json.writeValue(requests.toFile(), Map.of("loglikelihood", pairs, "generation", prompts));
    Path result = workDir.resolve("peer-transformers.json");
    out.printf("running transformers on the same ids (%s)%n", script);
    out.flush();
    python(python, workDir.resolve("peer-run.log"), script.toString(), "--run", model.toString(), requests.toString(), result.toString(),
        "--threads", Integer.toString(threads));
    JsonNode hf = json.readTree(result.toFile());
    Side peer = new Side(hf.get("load_seconds").asDouble(), hf.get("tokenizer_load_seconds").asDouble(), hf.get("first_request_seconds").asDouble(), hf.get("scoring_seconds").asDouble(),
        hf.get("generation_seconds").asDouble(),
        hf.get("generated_tokens").asLong(), (long) hf.get("peak_rss_mb").asDouble(),
        json.convertValue(hf.get("loglikelihood"), json.getTypeFactory().constructCollectionType(List.class, Double.class)),
        json.convertValue(hf.get("generated"), json.getTypeFactory().constructCollectionType(List.class, long[].class)), 0);
    report(out, w, threads, tokens, kansoku, peer, hf);
  }

  /** One side's figures. */
  private record Side(double modelLoad, double tokenizerLoad, double firstRequest, double scoring, double generation, long generatedTokens, long peakRssMb,
                      List<Double> loglikelihoods,
                      List<long[]> generated, long scoringPasses) {
    /** What a user waits for before the first request: the network and the tokenizer. */
    double load() {
      return modelLoad + tokenizerLoad;
    }
  }

  private static void report(PrintWriter out, Workload w, int threads, long tokens, Side k, Side hf, JsonNode meta) {
    out.printf("%nbench peer: TinyLlama-shaped Llama, 2 layers, fp32 (saved by transformers %s), %d torch thread(s) on each side; "
        + "transformers %s eager attention, torch %s%n", meta.get("transformers").asText(), threads, meta.get("transformers").asText(),
        meta.get("torch").asText());
    out.printf("scoring: %s, %d requests, %,d tokens of (context + continuation)[:-1]; generation: %s, %d prompts%n",
        w.scoringName(), w.scoring().size(), tokens, w.generationName(), w.generation().size());
    out.printf("%-34s %14s %14s %10s%n", "", "Kansoku", "transformers", "ratio");
    out.printf("%-34s %14.2f %14.2f %9.2fx%n", "load: model (s; ratio = speed)", k.modelLoad(), hf.modelLoad(), hf.modelLoad() / k.modelLoad());
    out.printf("%-34s %14.2f %14.2f %9.2fx%n", "load: tokenizer (s)", k.tokenizerLoad(), hf.tokenizerLoad(), hf.tokenizerLoad() / k.tokenizerLoad());
    out.printf("%-34s %14.2f %14.2f %9.2fx%n", "load: model + tokenizer (s)", k.load(), hf.load(), hf.load() / k.load());
    out.printf("%-34s %14.2f %14.2f %9.2fx%n", "load + first request (s)", k.load() + k.firstRequest(), hf.load() + hf.firstRequest(),
        (hf.load() + hf.firstRequest()) / (k.load() + k.firstRequest()));
    out.printf("%-34s %14.0f %14.0f %9.2fx%n", "scoring (tokens/s)", tokens / k.scoring(), tokens / hf.scoring(), hf.scoring() / k.scoring());
    out.printf("%-34s %14.1f %14.1f %9.2fx%n", "greedy generation (tokens/s)", k.generatedTokens() / k.generation(),
        hf.generatedTokens() / hf.generation(), (k.generatedTokens() / k.generation()) / (hf.generatedTokens() / hf.generation()));
    out.printf("%-34s %14d %14d %9.2fx%n", "peak resident memory (MB)", k.peakRssMb(), hf.peakRssMb(), (double) k.peakRssMb() / hf.peakRssMb());
    out.printf("%-34s %14.1f %14.1f%n", "scoring time (s)", k.scoring(), hf.scoring());
    out.printf("%-34s %14.1f %14.1f%n", "generation time (s)", k.generation(), hf.generation());
    out.printf("Kansoku: %d forward passes for scoring (prefix reuse); %d vs %d tokens generated%n", k.scoringPasses(),
        k.generatedTokens(), hf.generatedTokens());
    double worst = 0;
    for (int i = 0; i < k.loglikelihoods().size(); i++) {
      worst = Math.max(worst, Math.abs(k.loglikelihoods().get(i) - hf.loglikelihoods().get(i)));
    }
    int same = 0;
    for (int i = 0; i < k.generated().size(); i++) {
      same += java.util.Arrays.equals(k.generated().get(i), hf.generated().get(i)) ? 1 : 0;
    }
    out.printf("agreement: max |Δ log-likelihood| %.2e over %d requests; greedy ids identical for %d of %d prompts%n", worst,
        k.loglikelihoods().size(), same, k.generated().size());
    out.flush();
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void python(Path python, Path log, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(python.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      String text = Files.readString(log);
      throw new IOException("bench peer: " + String.join(" ", command) + " failed; its log " + log + " ends: "
          + text.substring(Math.max(0, text.length() - 2000)));
    }
  }
}

package dev.kansoku.tooling;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kansoku.config.DeviceMemory;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.infer.BatchBackoff;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.DeviceBudgets;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.LayerSplit;
import dev.kansoku.inference.ModelConfig;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.LoglikelihoodResult;
import dev.kansoku.inference.RandomCheckpoint;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The GPU kit's checks ({@code kansoku-engine gpu-check}, deploy/gpu/run.sh) (deploy/gpu/run.sh), each writing figures into one JSON:
 * (a) the bundled model's log-likelihoods and greedy ids on the device against the CPU goldens, per dtype;
 * (b) shape-true checkpoints of published configs: load time and scoring / generation throughput at several batch
 * sizes, with the requests and scores written out for the transformers comparison (deploy/gpu/hf_compare.py);
 * (d) the out-of-memory back-off on a real CUDA out-of-memory error (GPU only); (e) the layer split over two devices (the
 * same device twice) against the unsplit scores; (f) whether a response's bits depend on its batch on this device
 * (docs/bit-identity.md: measured on the project's CPU, the decoding lanes probed per device). A check that fails is
 * recorded with its error and the others still run. {@code --write-goldens} writes (a)'s goldens on this device.
 */
public final class DeviceChecks {
  /** Requests of check (a): short and long contexts, Japanese and English, and two greedy generations. */
  static final List<LoglikelihoodRequest> GOLDEN_SCORING = List.of(
      new LoglikelihoodRequest("The capital of Japan is", " Tokyo", false),
      new LoglikelihoodRequest("日本の首都は", "東京です", false),
      new LoglikelihoodRequest("Question: What is 12 + 30?\nAnswer:", " 42", false),
      new LoglikelihoodRequest("The quick brown fox jumps over the lazy dog. ".repeat(20), "The end.", false));
  static final List<GenerationRequest> GOLDEN_GENERATION = List.of(
      new GenerationRequest("The capital of Japan is", List.of(), 16, false),
      new GenerationRequest("吾輩は猫である。名前はまだ無い。", List.of(), 16, false));
  /** Check (d): requests of ≈ 1,800 tokens; their logits alone (48,586 ids in fp32) need ≈ 11 GB at once. */
  static final int OOM_BATCH = 32;
  /** Check (d): the memory the ballast leaves free on the card. */
  static final int OOM_HEADROOM_MB = 1024;
  /** fp32 on another device: different kernels, the same numbers to 1e-4 (the engine's parity tolerance). */
  static final double FP32_TOLERANCE = 1e-4;
  /** Half precision: ComputeDtypeTest's bound, 0.5 % of the log-likelihood. */
  static final double HALF_RELATIVE_TOLERANCE = 0.005;

  /** What the command line sets (GpuCheckCommand's options). */
  public record Settings(
      String device,
      Path model,
      Path goldens,
      boolean writeGoldens,
      List<Path> benchConfigs,
      int benchLayers,
      String benchDtype,
      List<Integer> batches,
      int contextTokens,
      int newTokens,
      Path workDir,
      Path out) {}

  private final String device;
  private final Path model;
  private final Path goldens;
  private final boolean writeGoldens;
  private final List<Path> benchConfigs;
  private final int benchLayers;
  private final String benchDtype;
  private final List<Integer> batches;
  private final int contextTokens;
  private final int newTokens;
  private final Path workDir;
  private final Path out;

  public DeviceChecks(Settings s) {
    this.device = s.device();
    this.model = s.model();
    this.goldens = s.goldens();
    this.writeGoldens = s.writeGoldens();
    this.benchConfigs = s.benchConfigs();
    this.benchLayers = s.benchLayers();
    this.benchDtype = s.benchDtype();
    this.batches = s.batches();
    this.contextTokens = s.contextTokens();
    this.newTokens = s.newTokens();
    this.workDir = s.workDir();
    this.out = s.out();
  }

  private final ObjectMapper json = new ObjectMapper();

  /** Runs the checks (or writes the goldens), printing a line per check; the exit status. */
  public int run(PrintWriter w) throws Exception {
    RandomCheckpoint.ensureWeights(model);
    if (writeGoldens) {
      ObjectNode g = json.createObjectNode();
      for (String dtype : List.of("fp32", "fp16")) {
        g.set(dtype, values(dtype, List.of(device())));
      }
      json.writerWithDefaultPrettyPrinter().writeValue(goldens.toFile(), g);
      w.printf("goldens: %s%n", goldens);
      w.flush();
      return 0;
    }
    ObjectNode report = json.createObjectNode();
    report.put("device", device().toString());
    ObjectNode checks = report.putObject("checks");
    run(w, checks, "a_goldens", this::goldens);
    run(w, checks, "b_throughput", this::throughput);
    run(w, checks, "d_out_of_memory", this::outOfMemory);
    run(w, checks, "e_layer_split", this::layerSplit);
    run(w, checks, "f_batch_invariance", this::batchInvariance);
    Files.createDirectories(out.toAbsolutePath().getParent());
    json.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), report);
    long failed = 0;
    for (JsonNode c : checks) {
      failed += "failed".equals(c.path("status").asText()) ? 1 : 0;
    }
    w.printf("figures: %s (%d check(s) failed)%n", out, failed);
    w.flush();
    return failed == 0 ? 0 : 1;
  }

  /** One check: its figures, or its error; a failure does not stop the other checks. */
  @FunctionalInterface
  private interface Check {
    void run(ObjectNode into) throws Exception;
  }

  private void run(PrintWriter w, ObjectNode checks, String name, Check check) {
    ObjectNode c = checks.putObject(name);
    long t0 = System.nanoTime();
    try {
      check.run(c);
      if (!c.has("status")) {
        c.put("status", "passed");
      }
    } catch (Exception | AssertionError e) {
      c.put("status", "failed").put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    c.put("seconds", (System.nanoTime() - t0) / 1e9);
    w.printf("%s: %s%s%n", name, c.get("status").asText(), c.has("error") ? " (" + c.get("error").asText() + ")" : "");
    w.flush();
  }

  private Device device() {
    return device.equalsIgnoreCase("cpu") ? Device.cpu() : Device.gpu(Integer.parseInt(device));
  }

  /** Check (a)'s values on {@code devices}: the log-likelihoods and the greedy ids. */
  private ObjectNode values(String dtype, List<Device> devices) throws Exception {
    // over two devices: half of the layers on each
    List<LayerSplit.DeviceBudget> budgets = devices.size() == 1
        ? DeviceBudgets.of(DeviceMemory.DEVICE_REPORTED, devices)
        : LayerSplit.halves(ModelConfig.read(model.resolve("config.json")), DjlEngine.computeType(model, dtype), devices.get(0),
            devices.get(1));
    try (DjlEngine engine = DjlEngine.load(model, ModelSpec.FORMAT_HF_LLAMA, dtype, 2048, budgets)) {
      ObjectNode v = json.createObjectNode();
      ArrayNode ll = v.putArray("loglikelihoods");
      for (LoglikelihoodResult r : engine.loglikelihood(GOLDEN_SCORING)) {
        ll.add(r.logLikelihood());
      }
      ArrayNode gen = v.putArray("generated_ids");
      for (GenerationResult g : engine.generate(GOLDEN_GENERATION)) {
        ids(gen.addArray(), g.generatedIds());
      }
      return v;
    }
  }

  private void goldens(ObjectNode into) throws Exception {
    JsonNode expected = json.readTree(goldens.toFile());
    boolean ok = true;
    for (String dtype : List.of("fp32", "fp16", "bf16")) {
      ObjectNode d = into.putObject(dtype);
      ObjectNode actual;
      try {
        actual = values(dtype, List.of(device()));
      } catch (Exception e) {
        d.put("status", "failed").put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        ok &= dtype.equals("bf16"); // bf16 is tried and reported; fp32 and fp16 must run
        continue;
      }
      d.set("values", actual);
      // bf16 has no goldens of its own: it is compared with fp32's, within the half-precision bound
      JsonNode gold = expected.get(dtype.equals("bf16") ? "fp32" : dtype);
      double worst = 0;
      boolean within = true;
      for (int i = 0; i < GOLDEN_SCORING.size(); i++) {
        double e = gold.get("loglikelihoods").get(i).asDouble();
        double a = actual.get("loglikelihoods").get(i).asDouble();
        double allowed = dtype.equals("fp32") ? FP32_TOLERANCE : HALF_RELATIVE_TOLERANCE * Math.abs(e);
        worst = Math.max(worst, Math.abs(a - e));
        within &= Math.abs(a - e) <= allowed;
      }
      boolean sameIds = sameIds(gold, actual);
      d.put("max_abs_difference", worst).put("within_tolerance", within).put("greedy_ids_equal", sameIds);
      // half precision may pick another token where two are near-tied: reported, required for fp32 only
      boolean passed = within && (sameIds || !dtype.equals("fp32"));
      d.put("status", passed ? "passed" : "failed");
      ok &= passed || dtype.equals("bf16");
    }
    if (!ok) {
      into.put("status", "failed").put("error", "values differ from the CPU goldens beyond the tolerance");
    }
  }

  private static void ids(ArrayNode into, long[] ids) {
    for (long id : ids) {
      into.add(id);
    }
  }

  /**
   * Check (d): with a ballast leaving {@link #OOM_HEADROOM_MB} of the card free, a batch whose logits alone need far
   * more fails with CUDA's out-of-memory error; {@link BatchBackoff} halves the passes until it fits. The scores must
   * equal those computed one request at a time without the ballast (fp32 tolerance: other shapes, other kernels).
   */
  private void outOfMemory(ObjectNode into) throws Exception {
    Device d = device();
    if (!d.isGpu()) {
      into.put("status", "skipped").put("reason", "no CUDA device (the CPU back-off is BatchBackoffTest's)");
      return;
    }
    List<LoglikelihoodRequest> requests = new ArrayList<>();
    String longText = "The quick brown fox jumps over the lazy dog. ".repeat(200);
    for (int i = 0; i < OOM_BATCH; i++) {
      requests.add(new LoglikelihoodRequest(i + " " + longText, " The end.", false));
    }
    try (DjlEngine engine = DjlEngine.load(model, ModelSpec.FORMAT_HF_LLAMA, "fp32", 2048, d)) {
      List<LoglikelihoodResult> alone = new ArrayList<>();
      for (LoglikelihoodRequest r : requests.subList(0, 2)) {
        alone.addAll(engine.loglikelihood(List.of(r), BatchShapes.canonical(1, 4096)));
      }
      java.lang.management.MemoryUsage memory = ai.djl.util.cuda.CudaUtils.getGpuMemory(d);
      long free = memory.getMax() - memory.getUsed();
      long ballastBytes = Math.max(0, free - ((long) OOM_HEADROOM_MB << 20));
      into.put("gpu_free_mb", free >> 20).put("ballast_mb", ballastBytes >> 20);
      int[] attempts = new int[1];
      int[] rowsAtTheEnd = new int[1];
      List<LoglikelihoodResult> results;
      try (ai.djl.ndarray.NDManager ballast = ai.djl.ndarray.NDManager.newBaseManager(d)) {
        ballast.zeros(new ai.djl.ndarray.types.Shape(ballastBytes), ai.djl.ndarray.types.DataType.INT8);
        results = BatchBackoff.run(requests, BatchShapes.canonical(OOM_BATCH, OOM_BATCH * 2048), (batch, shapes) -> {
          attempts[0]++;
          rowsAtTheEnd[0] = shapes.maxRows();
          return engine.loglikelihood(batch, shapes);
        }, (r, e) -> {
          throw e;
        });
      }
      double worst = 0;
      for (int i = 0; i < alone.size(); i++) {
        worst = Math.max(worst, Math.abs(alone.get(i).logLikelihood() - results.get(i).logLikelihood()));
      }
      into.put("batch", OOM_BATCH).put("attempts", attempts[0]).put("rows_that_fit", rowsAtTheEnd[0]).put("max_abs_difference", worst);
      if (attempts[0] < 2) {
        into.put("status", "failed").put("error", "the batch fit: no out-of-memory error was forced");
      } else if (worst > FP32_TOLERANCE) {
        into.put("status", "failed").put("error", "scores after the back-off differ from the unbatched ones by " + worst);
      }
    }
  }

  /** Whether two values objects generated the same ids (compared as text: JSON reads small ids back as ints). */
  private static boolean sameIds(JsonNode a, JsonNode b) {
    return a.get("generated_ids").toString().equals(b.get("generated_ids").toString());
  }

  private void layerSplit(ObjectNode into) throws Exception {
    ObjectNode whole = values("fp32", List.of(device()));
    ObjectNode split = values("fp32", List.of(device(), device()));
    double worst = 0;
    for (int i = 0; i < GOLDEN_SCORING.size(); i++) {
      worst = Math.max(worst, Math.abs(whole.get("loglikelihoods").get(i).asDouble() - split.get("loglikelihoods").get(i).asDouble()));
    }
    boolean sameIds = sameIds(whole, split);
    into.put("devices", device() + "," + device()).put("max_abs_difference", worst).put("greedy_ids_equal", sameIds);
    if (worst > 1e-5 || !sameIds) {
      into.put("status", "failed").put("error", "the split model differs from the whole one: " + worst);
    }
  }

  /**
   * Check (f): each of 16 log-likelihood requests (8 contexts × 2 continuations) and 16 greedy generations (prompts of
   * 10–300 words, budgets of 3–30 tokens, top-5 log-probabilities) alone, then together with the default shapes, in
   * reverse order, and with {@code batch-size = 3}; a request differs when any bit of its log-likelihood, generated ids
   * or per-token log-probabilities (chosen and top 5) does. Every dtype that runs must show none (bf16 may fail to
   * load where the JNI lacks it: reported).
   */
  private void batchInvariance(ObjectNode into) throws Exception {
    java.util.Random r = new java.util.Random(7);
    String[] words = {"東京", "は", "日本", "の", "首都", "です", "。", "The", " city", " council", " refused", " a", " permit", "\n"};
    List<LoglikelihoodRequest> scored = new ArrayList<>();
    List<GenerationRequest> generated = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      StringBuilder prompt = new StringBuilder();
      for (int j = 0, n = 10 + r.nextInt(i % 4 == 0 ? 290 : 60); j < n; j++) {
        prompt.append(words[r.nextInt(words.length)]);
      }
      generated.add(new GenerationRequest(prompt.toString(), List.of(), 3 + r.nextInt(28), false, 0.0, 1.0, 0, 0L, null, 5));
      if (i % 2 == 0) {
        scored.add(new LoglikelihoodRequest(prompt.toString(), " 東京", false));
        scored.add(new LoglikelihoodRequest(prompt.toString(), " the city council refused", false));
      }
    }
    List<GenerationRequest> reversedGenerations = new ArrayList<>(generated);
    java.util.Collections.reverse(reversedGenerations);
    List<LoglikelihoodRequest> reversedScoring = new ArrayList<>(scored);
    java.util.Collections.reverse(reversedScoring);
    boolean ok = true;
    for (String dtype : List.of("fp32", "fp16", "bf16")) {
      ObjectNode d = into.putObject(dtype);
      try (DjlEngine engine = DjlEngine.load(model, ModelSpec.FORMAT_HF_LLAMA, dtype, 2048, DeviceBudgets.of(DeviceMemory.DEVICE_REPORTED,
          List.of(device())))) {
        List<String> alone = new ArrayList<>();
        for (LoglikelihoodRequest q : scored) {
          alone.addAll(scoreBits(engine, List.of(q), BatchShapes.DEFAULT));
        }
        List<String> aloneGenerated = new ArrayList<>();
        for (GenerationRequest g : generated) {
          aloneGenerated.addAll(generationBits(engine, List.of(g), BatchShapes.DEFAULT));
        }
        BatchShapes batchSize3 = BatchShapes.canonical(3, 8192);
        int differ = count(d, "loglikelihood_default", alone, scoreBits(engine, scored, BatchShapes.DEFAULT), false)
            + count(d, "loglikelihood_reversed", alone, scoreBits(engine, reversedScoring, BatchShapes.DEFAULT), true)
            + count(d, "loglikelihood_batch_size_3", alone, scoreBits(engine, scored, batchSize3), false)
            + count(d, "generation_default", aloneGenerated, generationBits(engine, generated, BatchShapes.DEFAULT), false)
            + count(d, "generation_reversed", aloneGenerated, generationBits(engine, reversedGenerations, BatchShapes.DEFAULT), true)
            + count(d, "generation_batch_size_3", aloneGenerated, generationBits(engine, generated, batchSize3), false);
        d.put("status", differ == 0 ? "passed" : "failed");
        ok &= differ == 0;
      } catch (Exception e) {
        d.put("status", "failed").put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        ok &= dtype.equals("bf16");
      }
    }
    if (!ok) {
      into.put("status", "failed").put("error", "a request's bits depend on its batch on this device (see the counts)");
    }
  }

  /** How many of {@code batch}'s results (in reverse order with {@code reversed}) differ from {@code alone}'s, recorded as {@code name}. */
  private static int count(ObjectNode into, String name, List<String> alone, List<String> batch, boolean reversed) {
    int differ = 0;
    for (int i = 0; i < alone.size(); i++) {
      differ += alone.get(i).equals(batch.get(reversed ? alone.size() - 1 - i : i)) ? 0 : 1;
    }
    into.put(name + "_differ", differ).put(name + "_of", alone.size());
    return differ;
  }

  private static List<String> scoreBits(DjlEngine engine, List<LoglikelihoodRequest> requests, BatchShapes shapes) {
    return engine.loglikelihood(requests, shapes).stream().map(DeviceChecks::bits).toList();
  }

  private static List<String> generationBits(DjlEngine engine, List<GenerationRequest> requests, BatchShapes shapes) {
    return engine.generate(requests, shapes).stream().map(DeviceChecks::bits).toList();
  }

  /** A log-likelihood's exact bits and its greedy flag. */
  private static String bits(LoglikelihoodResult r) {
    return Long.toHexString(Double.doubleToRawLongBits(r.logLikelihood())) + (r.greedy() ? "g" : "");
  }

  /** A generation's ids and the bits of every chosen and top-5 log-probability. */
  private static String bits(GenerationResult g) {
    StringBuilder b = new StringBuilder(java.util.Arrays.toString(g.generatedIds()));
    for (int t = 0; t < g.logprobs().chosen().length; t++) {
      b.append(' ').append(Integer.toHexString(Float.floatToRawIntBits(g.logprobs().chosen()[t])))
          .append(java.util.Arrays.toString(g.logprobs().top()[t]));
      for (float lp : g.logprobs().topLogprobs()[t]) {
        b.append(',').append(Integer.toHexString(Float.floatToRawIntBits(lp)));
      }
    }
    return b.toString();
  }

  private void throughput(ObjectNode into) throws Exception {
    if (benchConfigs.isEmpty()) {
      into.put("status", "skipped").put("reason", "no --bench-configs");
      return;
    }
    ArrayNode models = into.putArray("models");
    for (Path config : benchConfigs) {
      ObjectNode m = models.addObject();
      m.put("config", config.toString()).put("dtype", benchDtype).put("layers", benchLayers);
      Path dir = workDir.resolve(config.getFileName().toString().replace(".json", ""));
      long t0 = System.nanoTime();
      ShapeTrueCheckpoint.Written ckpt = Files.exists(dir.resolve("model.safetensors.index.json"))
          ? ShapeTrueCheckpoint.describe(dir)
          : ShapeTrueCheckpoint.write(config, model.resolve("tokenizer.json"), dir, benchLayers, 2, 1);
      m.put("checkpoint", dir.toString()).put("stored_mb", ckpt.bytes() >> 20).put("write_seconds", (System.nanoTime() - t0) / 1e9);
      t0 = System.nanoTime();
      try (DjlEngine engine = DjlEngine.load(dir, ModelSpec.FORMAT_HF_LLAMA, benchDtype, Math.max(2048, contextTokens + newTokens), device())) {
        m.put("load_seconds", (System.nanoTime() - t0) / 1e9);
        measure(engine, m);
      }
    }
  }

  /** Scoring and generation throughput, and the requests with their scores for the transformers comparison. */
  private void measure(DjlEngine engine, ObjectNode m) {
    int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
    List<LoglikelihoodRequest> requests = new ArrayList<>();
    for (int i = 0; i < maxBatch; i++) {
      requests.add(new LoglikelihoodRequest(context(engine, i), " yes", false));
    }
    ArrayNode scoring = m.putArray("scoring");
    for (int b : batches) {
      List<LoglikelihoodRequest> batch = requests.subList(0, b);
      engine.loglikelihood(batch, BatchShapes.canonical(b, b * (contextTokens + 64))); // warm-up at this shape
      long t0 = System.nanoTime();
      List<LoglikelihoodResult> results = engine.loglikelihood(batch, BatchShapes.canonical(b, b * (contextTokens + 64)));
      double seconds = (System.nanoTime() - t0) / 1e9;
      long tokens = results.stream().mapToLong(r -> r.contextIds().length + r.continuationIds().length).sum();
      scoring.addObject().put("batch", b).put("seconds", seconds).put("tokens_per_second", tokens / seconds);
      if (b == maxBatch) {
        ArrayNode reqs = m.putArray("requests");
        for (int i = 0; i < b; i++) {
          ObjectNode r = reqs.addObject().put("loglikelihood", results.get(i).logLikelihood());
          // the token ids scored, so that another implementation scores exactly these (deploy/gpu/hf_compare.py)
          ids(r.putArray("context_ids"), results.get(i).contextIds());
          ids(r.putArray("continuation_ids"), results.get(i).continuationIds());
        }
      }
    }
    ArrayNode generation = m.putArray("generation");
    for (int b : List.of(1, Math.min(32, maxBatch))) {
      List<GenerationRequest> reqs = new ArrayList<>();
      for (int i = 0; i < b; i++) {
        reqs.add(new GenerationRequest(requests.get(i).context().substring(0, Math.min(200, requests.get(i).context().length())), List.of(),
            newTokens, false));
      }
      long t0 = System.nanoTime();
      List<GenerationResult> results = engine.generate(reqs, BatchShapes.canonical(b, b * 512));
      double seconds = (System.nanoTime() - t0) / 1e9;
      long tokens = results.stream().mapToLong(r -> r.generatedIds().length).sum();
      ObjectNode g = generation.addObject().put("batch", b).put("new_tokens", newTokens).put("seconds", seconds)
          .put("tokens_per_second", tokens / seconds);
      ArrayNode prompts = g.putArray("prompt_ids");
      results.forEach(r -> ids(prompts.addArray(), r.promptIds()));
    }
  }

  /** A context of about {@code contextTokens} tokens, different for each request (no prefix is shared). */
  private String context(DjlEngine engine, int i) {
    StringBuilder b = new StringBuilder("Document " + i + ". ");
    String sentence = "Request " + i + " reads the quick brown fox that jumps over the lazy dog near the river bank. ";
    while (engine.tokenizer().encode(b.toString(), false).length < contextTokens) {
      b.append(sentence);
    }
    return b.toString();
  }
}

package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kansoku.TestPaths;
import dev.kansoku.tooling.ShapeTrueCheckpoint;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.testkit.ReferencePython;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * All 35 study configurations against transformers: each published config.json (conf/models/configs) keeps every key —
 * architecture, real vocabulary, head dimension, query/key-value grouping, rotary theta and scaling, norm epsilon, tied
 * or untied head, sliding window, experts and routing, Cohere's logit scale, GPT-2's activation — with two decoder
 * layers and the width narrowed to a few heads (hidden = heads × head_dim, the MLP in proportion), so that all 35 fit
 * CI's 2 cores and 24 GB; jobs/check-study-models runs the full widths. Kansoku writes random bf16 shards
 * (ShapeTrueCheckpoint, std 0.15), scores and generates in fp32; transformers loads the same shards with
 * {@code from_pretrained} (eager attention, float32) and scores the same ids ({@code src/test/python/hf_scores.py}):
 * log-likelihoods within 1e-4 per request and greedy ids equal, for every configuration.
 */
class StudyModelsTransformersTest {
  private static final double TOLERANCE = 1e-4;
  private static final int NEW_TOKENS = 8;
  private static final List<LoglikelihoodRequest> REQUESTS = List.of(
      new LoglikelihoodRequest("The capital of Japan is", " Tokyo", false),
      new LoglikelihoodRequest("Question: What is two plus three?\nAnswer:", " five", false),
      new LoglikelihoodRequest("日本の首都は", "東京です。", false),
      new LoglikelihoodRequest("The quick brown fox jumps over the lazy dog and runs into the forest where it", " five", false));
  private static final List<String> PROMPTS = List.of("The capital of Japan is", "def add(a, b):\n    return a + b");

  @TempDir
  Path tmp;

  @Test
  void everyStudyConfigurationScoresAsTransformersDoes() throws Exception {
    Path python = ReferencePython.interpreter();
    List<Path> configs;
    try (Stream<Path> s = Files.list(TestPaths.CONF.resolve("models/configs"))) {
      configs = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertTrue(configs.size() == 35, "the 35 study configurations: " + configs.size());
    ObjectMapper json = new ObjectMapper();
    Process server = new ProcessBuilder(python.toString(), TestPaths.REPO.resolve("src/test/python/hf_scores.py").toString(), "--serve")
        .redirectError(tmp.resolve("hf_scores.log").toFile()).start();
    List<String> failures = new ArrayList<>();
    StringBuilder table = new StringBuilder("configuration | max |Δ log-likelihood| | greedy ids equal\n");
    try (BufferedWriter toPython = new BufferedWriter(new OutputStreamWriter(server.getOutputStream(), StandardCharsets.UTF_8));
         BufferedReader fromPython = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
      for (Path config : configs) {
        String name = config.getFileName().toString().replace(".json", "");
        Path dir = tmp.resolve(name);
        Path narrowed = tmp.resolve(name + ".config.json");
        Files.writeString(narrowed, json.writeValueAsString(narrowed((ObjectNode) json.readTree(config.toFile()))));
        ShapeTrueCheckpoint.write(narrowed, TestPaths.TINY_MODEL.resolve("tokenizer.json"), dir, 2, 2, name.hashCode(), 0.15);
        List<LoglikelihoodResult> scored;
        List<GenerationResult> generated;
        try (DjlEngine engine = DjlEngine.load(dir, ModelSpec.FORMAT_HF_LLAMA, "fp32", 2048, ai.djl.Device.cpu())) {
          scored = engine.loglikelihood(REQUESTS);
          generated = engine.generate(PROMPTS.stream().map(p -> new GenerationRequest(p, List.of(), NEW_TOKENS, false)).toList());
        }
        List<List<long[]>> pairs = scored.stream().map(r -> List.of(r.contextIds(), r.continuationIds())).toList();
        toPython.write(json.writeValueAsString(Map.of("dir", dir.toString(), "pairs", pairs,
            "prompts", generated.stream().map(GenerationResult::promptIds).toList(), "new_tokens", NEW_TOKENS)));
        toPython.newLine();
        toPython.flush();
        String line = fromPython.readLine();
        if (line == null) {
          throw new AssertionError("hf_scores.py ended: " + Files.readString(tmp.resolve("hf_scores.log")));
        }
        JsonNode ref = json.readTree(line);
        if (ref.has("error")) {
          failures.add(name + ": transformers: " + ref.get("error").asText());
          continue;
        }
        double worst = 0;
        boolean greedyEqual = true;
        for (int i = 0; i < scored.size(); i++) {
          worst = Math.max(worst, Math.abs(ref.get("loglikelihood").get(i).asDouble() - scored.get(i).logLikelihood()));
          greedyEqual &= ref.get("greedy").get(i).asBoolean() == scored.get(i).greedy();
        }
        for (int i = 0; i < generated.size(); i++) {
          greedyEqual &= java.util.Arrays.equals(json.convertValue(ref.get("generated").get(i), long[].class), generated.get(i).generatedIds());
        }
        table.append(String.format("%s | %.2e | %s%n", name, worst, greedyEqual));
        if (worst > TOLERANCE || !greedyEqual) {
          failures.add(name + ": max |Δ| " + worst + ", greedy equal " + greedyEqual + "; transformers " + line + "; Kansoku "
              + scored.stream().map(LoglikelihoodResult::logLikelihood).toList() + " "
              + generated.stream().map(g -> java.util.Arrays.toString(g.generatedIds())).toList());
        }
        try (Stream<Path> files = Files.walk(dir)) {
          for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    } finally {
      server.destroy();
    }
    System.out.print(table);
    assertTrue(failures.isEmpty(), failures.size() + " of 35 configurations differ from transformers:\n" + String.join("\n", failures));
  }

  /** The configuration with two layers' worth of narrowing: a few heads of the published head dimension and grouping. */
  static ObjectNode narrowed(ObjectNode cfg) {
    boolean gpt2 = "GPT2LMHeadModel".equals(cfg.path("architectures").path(0).asText());
    String hiddenKey = gpt2 ? "n_embd" : "hidden_size";
    String headsKey = gpt2 ? "n_head" : "num_attention_heads";
    int hidden = cfg.get(hiddenKey).asInt();
    int heads = cfg.get(headsKey).asInt();
    int kv = gpt2 ? heads : cfg.path("num_key_value_heads").asInt(heads);
    int headDim = cfg.hasNonNull("head_dim") ? cfg.get("head_dim").asInt() : hidden / heads;
    int group = heads / kv;
    int newKv = Math.max(1, Math.min(kv, 4 / Math.min(group, 4)));
    int newHeads = newKv * group;
    int newHidden = newHeads * headDim;
    cfg.put(hiddenKey, newHidden);
    cfg.put(headsKey, newHeads);
    if (!gpt2) {
      cfg.put("num_key_value_heads", newKv);
      cfg.put("intermediate_size", Math.max(16, (int) Math.round(cfg.get("intermediate_size").asDouble() * newHidden / hidden / 16) * 16));
    } else if (cfg.hasNonNull("n_inner")) {
      cfg.put("n_inner", Math.max(16, (int) Math.round(cfg.get("n_inner").asDouble() * newHidden / hidden / 16) * 16));
    }
    return cfg;
  }
}

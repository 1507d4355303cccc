package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlEngineTest {
  private static DjlEngine engine;

  @BeforeAll
  static void load() throws IOException {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    engine = DjlEngine.load(TestPaths.TINY_MODEL, 2048);
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  @Test
  void batchingDoesNotChangeLoglikelihood() {
    LoglikelihoodRequest target = new LoglikelihoodRequest("The city councilmen refused the demonstrators a permit because", " they feared violence.", false);
    LoglikelihoodResult alone = engine.loglikelihood(List.of(target)).get(0);
    List<LoglikelihoodRequest> batch = new ArrayList<>();
    batch.add(new LoglikelihoodRequest("短い", "文", false));
    for (int i = 0; i < 6; i++) {
      batch.add(new LoglikelihoodRequest("A much longer context, number " + i + ", so that padding differs across the rows of this batch", " yes", false));
    }
    batch.add(target);
    LoglikelihoodResult inBatch = engine.loglikelihood(batch).get(7);
    assertEquals(alone.logLikelihood(), inBatch.logLikelihood(), 1e-5);
    assertEquals(alone.greedy(), inBatch.greedy());
    assertArrayEquals(alone.continuationIds(), inBatch.continuationIds());
    assertTrue(alone.logLikelihood() < 0);
  }

  /**
   * Prefix reuse (each shared context once, continuations through the cache) gives the single-pass scores, on
   * a sharp-attention checkpoint (std 0.3) where a wrong position or mask would move them by far more than 1e-4.
   */
  @Test
  void sharedContextsScoreAsInOnePass(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("variant");
    Files.createDirectories(dir);
    try (var in = getClass().getResourceAsStream("/llama-variant/config.json")) {
      Files.copy(in, dir.resolve("config.json"));
    }
    for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
      if (Files.exists(TestPaths.TINY_MODEL.resolve(f))) {
        Files.copy(TestPaths.TINY_MODEL.resolve(f), dir.resolve(f));
      }
    }
    RandomCheckpoint.writeWeights(dir, 7, 0.3);
    List<LoglikelihoodRequest> batch = new ArrayList<>();
    String longContext = "問題: 次のうち、日本の首都はどれですか。\n選択肢: 大阪, 東京, 京都, 札幌\n答え:";
    for (String choice : List.of(" 大阪", " 東京です", " 京都", " 札幌市役所のある街")) {
      batch.add(new LoglikelihoodRequest(longContext, choice, false));
    }
    batch.add(new LoglikelihoodRequest("A lone context", " with its own ending", false));
    for (String choice : List.of(" yes", " no, certainly not")) {
      batch.add(new LoglikelihoodRequest("Short question:", choice, false));
    }
    try (DjlEngine sharp = DjlEngine.load(dir, 2048)) {
      // batches as given: the distinct contexts in one pass, all continuations in a second
      List<LoglikelihoodResult> reused = sharp.withPrefixReuse(true).loglikelihood(batch, BatchShapes.asGiven());
      long passesReused = sharp.forwardPasses();
      List<LoglikelihoodResult> canonical = sharp.loglikelihood(batch, BatchShapes.DEFAULT);
      List<LoglikelihoodResult> single = sharp.withPrefixReuse(false).loglikelihood(batch, BatchShapes.asGiven());
      assertEquals(2, passesReused, "one pass for the contexts, one for the continuations");
      for (int i = 0; i < batch.size(); i++) {
        assertEquals(single.get(i).logLikelihood(), canonical.get(i).logLikelihood(), 1e-4, "canonical shapes, request " + i);
        assertEquals(single.get(i).greedy(), canonical.get(i).greedy(), "canonical shapes, request " + i);
      }
      for (int i = 0; i < batch.size(); i++) {
        assertEquals(single.get(i).logLikelihood(), reused.get(i).logLikelihood(), 1e-4, "request " + i);
        assertEquals(single.get(i).greedy(), reused.get(i).greedy(), "request " + i);
        assertArrayEquals(single.get(i).continuationIds(), reused.get(i).continuationIds());
      }
      // the choices really differ, so equal sums are not an accident of a degenerate model
      assertTrue(Math.abs(reused.get(0).logLikelihood() - reused.get(2).logLikelihood()) > 0.01);
    }
  }

  @Test
  void trailingContextWhitespaceMovesToTheContinuation() {
    TextTokenizer tok = engine.tokenizer();
    long[][] pair = engine.encodePair(new LoglikelihoodRequest("Answer: ", "yes", false));
    // the harness encodes "Answer:" and "Answer: yes"; the continuation is the tail of the whole encoding
    assertArrayEquals(tok.encode("Answer:", false), pair[0]);
    long[] whole = tok.encode("Answer: yes", false);
    assertArrayEquals(Arrays.copyOfRange(whole, pair[0].length, whole.length), pair[1]);
  }

  @Test
  void emptyContextIsScoredAfterTheEndOfTextToken() {
    long[][] pair = engine.encodePair(new LoglikelihoodRequest("", "こんにちは", false));
    assertArrayEquals(new long[] {7}, pair[0]);
    assertArrayEquals(engine.tokenizer().encode("こんにちは", false), pair[1]);
  }

  @Test
  void generationStopsBeforeTheStopSequence() {
    GenerationResult free = engine.generate(List.of(new GenerationRequest("日本の首都は", List.of(), 6, false))).get(0);
    assertEquals("length", free.finishReason());
    assertEquals(6, free.generatedIds().length);
    String stop = free.text().substring(Math.max(1, free.text().length() / 2));
    GenerationResult cut = engine.generate(List.of(
        new GenerationRequest("日本の首都は", List.of(stop), 6, false),
        new GenerationRequest("A different prompt", List.of(), 2, false))).get(0);
    assertEquals("stop", cut.finishReason());
    assertEquals(free.text().substring(0, free.text().indexOf(stop)), cut.text());
  }

  @Test
  void kvCacheGivesTheSameGreedyTokensAsRecomputing() {
    List<GenerationRequest> batch = List.of(
        new GenerationRequest("日本の首都は", List.of(), 12, false),
        new GenerationRequest("A longer English prompt that pads the other rows of the batch", List.of(), 5, false),
        new GenerationRequest("def f(x):\n    return", List.of(), 9, true));
    List<GenerationResult> cached = engine.withKvCache(true).generate(batch);
    List<GenerationResult> recomputed = engine.withKvCache(false).generate(batch);
    engine.withKvCache(true);
    for (int i = 0; i < batch.size(); i++) {
      assertArrayEquals(recomputed.get(i).generatedIds(), cached.get(i).generatedIds(), "request " + i);
      assertEquals(recomputed.get(i).text(), cached.get(i).text());
    }
    assertEquals(12, cached.get(0).generatedIds().length, "rows that finish early leave the batch; the rest go on");
  }

  @Test
  void samplingIsReproducibleWhateverTheBatch() {
    GenerationRequest sampled = new GenerationRequest("こんにちは、", List.of(), 10, false, 0.8, 0.95, 50, 1234L);
    GenerationResult alone = engine.generate(List.of(sampled)).get(0);
    GenerationResult inBatch = engine.generate(List.of(
        new GenerationRequest("other", List.of(), 3, false, 1.0, 1.0, 0, 7L), sampled,
        new GenerationRequest("yet another prompt, longer than the rest", List.of(), 10, false))).get(1);
    assertArrayEquals(alone.generatedIds(), inBatch.generatedIds());
    GenerationResult otherSeed = engine.generate(List.of(
        new GenerationRequest("こんにちは、", List.of(), 10, false, 0.8, 0.95, 50, 99L))).get(0);
    GenerationResult greedy = engine.generate(List.of(new GenerationRequest("こんにちは、", List.of(), 10, false))).get(0);
    assertTrue(!java.util.Arrays.equals(alone.generatedIds(), otherSeed.generatedIds())
        || !java.util.Arrays.equals(alone.generatedIds(), greedy.generatedIds()), "the seed matters");
  }

  @Test
  void weightsAreReproducibleFromTheSeed(@TempDir Path tmp) throws Exception {
    Files.copy(TestPaths.TINY_MODEL.resolve("config.json"), tmp.resolve("config.json"));
    Path written = RandomCheckpoint.writeWeights(tmp, RandomCheckpoint.DEFAULT_SEED, RandomCheckpoint.DEFAULT_STD);
    assertEquals("13ecc00281b73ff3d71d7cfe1f651cfca39f6c1c85a39fd55ff300c9f6e49a8d", sha256(written));
  }

  @Test
  void tiedEmbeddingsNeedNoLmHead(@TempDir Path tmp) throws Exception {
    Path dir = modelCopy(tmp, "\"tie_word_embeddings\": true");
    RandomCheckpoint.writeWeights(dir, 7, 0.02);
    assertTrue(!SafetensorsFile.open(dir.resolve("model.safetensors")).tensors().containsKey("lm_head.weight"));
    try (DjlEngine tied = DjlEngine.load(dir, 128)) {
      double ll = tied.loglikelihood(List.of(new LoglikelihoodRequest("Hello", " world", false))).get(0).logLikelihood();
      assertTrue(Double.isFinite(ll) && ll < 0);
    }
  }

  @Test
  void untiedCheckpointWithoutLmHeadIsAnError(@TempDir Path tmp) throws Exception {
    Path tiedDir = modelCopy(tmp.resolve("a"), "\"tie_word_embeddings\": true");
    RandomCheckpoint.writeWeights(tiedDir, 7, 0.02);
    Path untied = modelCopy(tmp.resolve("b"), "\"tie_word_embeddings\": false");
    Files.copy(tiedDir.resolve("model.safetensors"), untied.resolve("model.safetensors"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> DjlEngine.load(untied, 128));
    assertEquals("lm_head.weight", e.key());
  }

  @Test
  void truncatedSafetensorsNamesFileAndTensor(@TempDir Path tmp) throws Exception {
    Path dir = modelCopy(tmp, "\"tie_word_embeddings\": false");
    Path weights = RandomCheckpoint.writeWeights(dir, 1, 0.02);
    byte[] bytes = Files.readAllBytes(weights);
    Files.write(weights, Arrays.copyOf(bytes, bytes.length - 1000));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(weights));
    assertEquals(weights, e.file());
    assertEquals("lm_head.weight", e.key(), "the last tensor in the file is the one cut short");
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    Files.write(weights, Arrays.copyOf(bytes, 5));
    assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(weights));
  }

  @Test
  void malformedConfigJsonNamesFileAndKey(@TempDir Path tmp) throws Exception {
    Path dir = modelCopy(tmp, "\"tie_word_embeddings\": false");
    Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": \"big\"");
    ModelFormatException broken = assertThrows(ModelFormatException.class, () -> ModelConfig.read(dir.resolve("config.json")));
    assertEquals("config.json", broken.key());
    Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": \"big\"}");
    ModelFormatException wrongType = assertThrows(ModelFormatException.class, () -> ModelConfig.read(dir.resolve("config.json")));
    assertEquals("hidden_size", wrongType.key());
    Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"GPTNeoXForCausalLM\"]}");
    ModelFormatException arch = assertThrows(ModelFormatException.class, () -> ModelConfig.read(dir.resolve("config.json")));
    assertTrue(arch.getMessage().contains("GPTNeoXForCausalLM"));
    String tiny = Files.readString(TestPaths.TINY_MODEL.resolve("config.json"));
    Files.writeString(dir.resolve("config.json"), tiny.replace("\"rope_scaling\": null",
        "\"rope_scaling\": {\"rope_type\": \"longrope\", \"factor\": 4.0}"));
    ModelFormatException longrope = assertThrows(ModelFormatException.class, () -> ModelConfig.read(dir.resolve("config.json")));
    assertEquals("rope_scaling.rope_type", longrope.key());
    assertTrue(longrope.getMessage().contains("longrope"), longrope.getMessage());
    Files.writeString(dir.resolve("config.json"), tiny.replace("\"rope_scaling\": null",
        "\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0}"));
    ModelFormatException incomplete = assertThrows(ModelFormatException.class, () -> ModelConfig.read(dir.resolve("config.json")));
    assertEquals("rope_scaling.high_freq_factor", incomplete.key());
    Files.writeString(dir.resolve("config.json"), tiny.replace("\"LlamaForCausalLM\"", "\"MixtralForCausalLM\""));
    ModelFormatException experts = assertThrows(ModelFormatException.class, () -> ModelConfig.read(dir.resolve("config.json")));
    assertEquals("num_local_experts", experts.key());
    // Command R+'s query/key norms are not implemented: refused by name rather than silently ignored
    Files.writeString(dir.resolve("config.json"), tiny.replace("\"LlamaForCausalLM\"", "\"CohereForCausalLM\"")
        .replace("\"rope_scaling\": null", "\"rope_scaling\": null, \"use_qk_norm\": true"));
    ModelFormatException qkNorm = assertThrows(ModelFormatException.class, () -> ModelConfig.read(dir.resolve("config.json")));
    assertEquals("use_qk_norm", qkNorm.key());
    // GPT-2: GPT2Config's key names and defaults; attention options no study model uses are refused by name
    String gpt2 = new String(getClass().getResourceAsStream("/gpt2-variant/config.json").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("config.json"), gpt2);
    ModelConfig parsed = ModelConfig.read(dir.resolve("config.json"));
    assertEquals(256, parsed.intermediateSize(), "n_inner null is 4 × n_embd");
    assertEquals(new dev.kansoku.inference.architecture.Gpt2(FeedForward.Activation.GELU), parsed.implementation());
    assertEquals(List.of(7), parsed.eosTokenIds());
    Files.writeString(dir.resolve("config.json"), gpt2.replace("\"activation_function\": \"gelu\"", "\"activation_function\": \"relu\""));
    assertEquals("activation_function", assertThrows(ModelFormatException.class, () -> ModelConfig.read(dir.resolve("config.json"))).key());
    Files.writeString(dir.resolve("config.json"), gpt2.replace("\"scale_attn_by_inverse_layer_idx\": false", "\"scale_attn_by_inverse_layer_idx\": true"));
    assertEquals("scale_attn_by_inverse_layer_idx", assertThrows(ModelFormatException.class, () -> ModelConfig.read(dir.resolve("config.json"))).key());
    Files.writeString(dir.resolve("config.json"), gpt2.replace("\"n_head\": 8", "\"n_head\": 7"));
    assertEquals("n_head", assertThrows(ModelFormatException.class, () -> ModelConfig.read(dir.resolve("config.json"))).key());
    Files.writeString(dir.resolve("config.json"), gpt2.replace("\"activation_function\": \"gelu\",", "").replace("\"eos_token_id\": 7,", ""));
    ModelConfig defaults = ModelConfig.read(dir.resolve("config.json"));
    assertEquals(new dev.kansoku.inference.architecture.Gpt2(FeedForward.Activation.GELU_TANH), defaults.implementation(), "GPT2Config's default activation is gelu_new");
    assertEquals(List.of(), defaults.eosTokenIds(), "GPT2Config's default eos 50256 is outside a 48,586-id vocabulary");
    Files.writeString(dir.resolve("config.json"), gpt2.replace("\"eos_token_id\": 7", "\"eos_token_id\": 48586"));
    assertEquals("eos_token_id", assertThrows(ModelFormatException.class, () -> ModelConfig.read(dir.resolve("config.json"))).key());
  }

  private static Path modelCopy(Path dir, String tieSetting) throws IOException {
    Files.createDirectories(dir);
    String config = Files.readString(TestPaths.TINY_MODEL.resolve("config.json"))
        .replaceAll("\"tie_word_embeddings\": (true|false)", tieSetting);
    Files.writeString(dir.resolve("config.json"), config);
    Files.copy(TestPaths.TINY_MODEL.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    return dir;
  }

  private static String sha256(Path p) throws Exception {
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    return java.util.HexFormat.of().formatHex(md.digest(Files.readAllBytes(p)));
  }
}

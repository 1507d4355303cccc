package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.config.ModelSpec;
import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TorchScript and ONNX exports (src/test/python/export_causal_lm.py: a batched, cached transcription of the
 * reference Llama forward, written with Optimum's input/output names) loaded through DJL Criteria score and
 * generate as the engine's own forward pass on the same weights (a sharp checkpoint, std 0.3): scoring with
 * right padding, prefix reuse through the exported cache, and greedy generation with left padding, cache on
 * and off.
 */
class ExportedDecoderTest {
  /** A pool of this test's own (the executor side owns the shared one). */
  private static final ModelPool POOL = new ModelPool();

  private static final double TOLERANCE = 1e-4;
  @TempDir
  static Path tmp;
  private static Path dir;

  @BeforeAll
  static void checkpoint() throws Exception {
    // the same weights the export was made from (seed 23, std 0.3), for the engine's own forward pass
    dir = TestCheckpoints.write(tmp.resolve("exported-llama"), "exported-llama", 23L);
    for (String f : List.of("model.pt", "model.onnx", "export.json")) {
      try (InputStream in = ExportedDecoderTest.class.getResourceAsStream("/exported-llama/" + f)) {
        Files.copy(in, dir.resolve(f));
      }
    }
    String expected = new ObjectMapper().readTree(dir.resolve("export.json").toFile()).get("weights_sha256").asText();
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve("model.safetensors")));
    assertEquals(expected, HexFormat.of().formatHex(digest), "weights differ from those the export was made from");
  }

  private static final List<LoglikelihoodRequest> SCORING = List.of(
      new LoglikelihoodRequest("Question: what is the capital of Japan?\nAnswer:", " Tokyo", false),
      new LoglikelihoodRequest("Question: what is the capital of Japan?\nAnswer:", " Kyoto is the old one", false),
      new LoglikelihoodRequest("日本の首都は", "東京です。", false),
      new LoglikelihoodRequest("", "An unconditional continuation", false));

  private static final List<LoglikelihoodRequest> SHARED = List.of(
      new LoglikelihoodRequest("The cat sat on the", " mat", false),
      new LoglikelihoodRequest("The cat sat on the", " roof of the house", false),
      new LoglikelihoodRequest("A dog ran", " away", false),
      new LoglikelihoodRequest("A dog ran", " into the garden today", false));

  private static final List<GenerationRequest> GENERATION = List.of(
      new GenerationRequest("Once upon a time", List.of(), 12, false, 0.0, 1.0, 0, 1L),
      new GenerationRequest("日本語の文章を書いてください。", List.of(), 9, false, 0.0, 1.0, 0, 2L),
      new GenerationRequest("1 2 3", List.of(), 5, false, 0.0, 1.0, 0, 3L));

  @ParameterizedTest
  @ValueSource(strings = {ModelSpec.FORMAT_TORCHSCRIPT, ModelSpec.FORMAT_ONNX})
  void scoresAsTheEnginesOwnForwardPass(String format) throws Exception {
    try (DjlEngine own = DjlEngine.load(dir, ModelSpec.FORMAT_HF_LLAMA, 2048, Device.cpu());
         DjlEngine exported = DjlEngine.load(dir, format, 2048, Device.cpu())) {
      assertSameScores(own.loglikelihood(SCORING), exported.loglikelihood(SCORING), format + " padded batch");
      // shared contexts run once into the export's cache, then the continuations attend to it
      List<LoglikelihoodResult> single = own.withPrefixReuse(false).loglikelihood(SHARED);
      assertSameScores(single, exported.loglikelihood(SHARED), format + " prefix reuse, canonical shapes");
      long passes = exported.forwardPasses();
      assertSameScores(single, exported.loglikelihood(SHARED, BatchShapes.asGiven()), format + " prefix reuse, batch as given");
      assertEquals(2, exported.forwardPasses() - passes, "context pass + continuation pass");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {ModelSpec.FORMAT_TORCHSCRIPT, ModelSpec.FORMAT_ONNX})
  void generatesAsTheEnginesOwnForwardPass(String format) throws Exception {
    try (DjlEngine own = DjlEngine.load(dir, ModelSpec.FORMAT_HF_LLAMA, 2048, Device.cpu());
         DjlEngine exported = DjlEngine.load(dir, format, 2048, Device.cpu())) {
      List<GenerationResult> expected = own.generate(GENERATION);
      List<GenerationResult> cached = exported.generate(GENERATION);
      List<GenerationResult> uncached = exported.withKvCache(false).generate(GENERATION);
      for (int i = 0; i < GENERATION.size(); i++) {
        assertArrayEquals(expected.get(i).generatedIds(), cached.get(i).generatedIds(), format + " cached #" + i);
        assertArrayEquals(expected.get(i).generatedIds(), uncached.get(i).generatedIds(), format + " uncached #" + i);
        assertEquals(expected.get(i).text(), cached.get(i).text());
      }
      assertTrue(expected.stream().anyMatch(r -> r.generatedIds().length >= 5), "the requests generate several tokens");
    }
  }

  /** A registry entry with {@code format = "onnx"} passes the preflight and is what the executors' pool loads. */
  @Test
  void theRegistryFormatReachesThePreflightAndTheModelPool() throws Exception {
    ModelSpec spec = new ModelSpec("exported-onnx", "exported-onnx", "seed-23", dir.toString(), ModelSpec.FORMAT_ONNX, "fp32",
        2048, false, null, null, null, null, null, "synthetic", null, null);
    assertEquals(2, Backends.of(spec.format()).preflight(spec, java.nio.file.Path.of(spec.path()), true).orElseThrow().numLayers());
    POOL.evict();
    try (DjlEngine own = DjlEngine.load(dir, ModelSpec.FORMAT_HF_LLAMA, 2048, Device.cpu());
         ModelPool.Lease lease = POOL.lease(spec, 2048, 0, Device.cpu())) {
      assertSameScores(own.loglikelihood(SCORING), lease.model().loglikelihood(SCORING), "pooled onnx");
    } finally {
      POOL.evict();
    }
    Path noGraph = tmp.resolve("preflight-no-graph");
    Files.createDirectories(noGraph);
    Files.copy(dir.resolve("config.json"), noGraph.resolve("config.json"));
    Files.copy(dir.resolve("tokenizer.json"), noGraph.resolve("tokenizer.json"));
    ModelSpec missing = new ModelSpec("x", "x", "r", noGraph.toString(), ModelSpec.FORMAT_TORCHSCRIPT, "fp32", 2048, false,
        null, null, null, null, null, "synthetic", null, null);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Backends.of(missing.format()).preflight(missing, java.nio.file.Path.of(missing.path()), true).orElseThrow());
    assertEquals(noGraph.resolve("model.pt"), e.file());
  }

  @Test
  void aMissingExportIsAnErrorNamingTheFile() throws Exception {
    Path empty = tmp.resolve("no-export");
    Files.createDirectories(empty);
    Files.copy(dir.resolve("config.json"), empty.resolve("config.json"));
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> DjlEngine.load(empty, ModelSpec.FORMAT_ONNX, 2048, Device.cpu()));
    assertEquals(empty.resolve("model.onnx"), e.file());
  }

  @ParameterizedTest
  @ValueSource(strings = {ModelSpec.FORMAT_TORCHSCRIPT, ModelSpec.FORMAT_ONNX})
  void aConfigThatDoesNotMatchTheGraphIsALoadError(String format) throws Exception {
    Path wrong = tmp.resolve("wrong-" + format);
    Files.createDirectories(wrong);
    for (String f : List.of("model.pt", "model.onnx", "tokenizer.json")) {
      Files.copy(dir.resolve(f), wrong.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    // three layers in config.json, two in the graph: the load-time probe catches it
    Files.writeString(wrong.resolve("config.json"), Files.readString(dir.resolve("config.json"))
        .replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> DjlEngine.load(wrong, format, 2048, Device.cpu()));
    assertTrue(e.getMessage().contains("3 layers"), e.getMessage());
    assertTrue(e.file().getFileName().toString().startsWith("model."), e.getMessage());
  }

  @Test
  void onnxRefusesAGpuInThisBuild() {
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> DjlEngine.load(dir, ModelSpec.FORMAT_ONNX, 2048, Device.gpu(0)));
    assertEquals("device", e.key());
  }

  private static void assertSameScores(List<LoglikelihoodResult> expected, List<LoglikelihoodResult> actual, String what) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).logLikelihood(), actual.get(i).logLikelihood(), TOLERANCE, what + " #" + i);
      assertEquals(expected.get(i).greedy(), actual.get(i).greedy(), what + " greedy #" + i);
      assertArrayEquals(expected.get(i).continuationIds(), actual.get(i).continuationIds());
    }
  }
}

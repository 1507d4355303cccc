package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.config.ModelSpec;
import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fp16 and bf16 compute: the same method as fp32 (norms, softmax and logits in fp32; bf16 keeps every activation in
 * fp32 and rounds only the matrix products' inputs and outputs, see Bfloat16Ops), so scores move only by rounding —
 * and they do move (the dtype is really used). Half precision keeps fully masked padding rows finite (a
 * half-precision -inf bias would turn them into NaN and leak through the values).
 */
class ComputeDtypeTest {
  @TempDir
  static Path tmp;
  private static Path sharp;

  @BeforeAll
  static void sharpCheckpoint() throws Exception {
    // the parity test's "variant" (tied, 8 heads / 2 KV heads, std 0.3): attention is sharp, so errors show
    sharp = TestCheckpoints.write(tmp.resolve("variant"), "llama-variant", 7L);
  }

  private static final List<LoglikelihoodRequest> SCORING = List.of(
      new LoglikelihoodRequest("Question: what is the capital of Japan?\nAnswer:", " Tokyo", false),
      new LoglikelihoodRequest("日本の首都は", "東京です。", false),
      new LoglikelihoodRequest("The cat sat on the", " mat and looked out of the window", false));

  /**
   * fp16 keeps about 3 significant decimal digits per operation, bf16 about 2 (8 mantissa bits to fp16's 11); over
   * 3 layers the summed log-likelihoods stay within 0.5 % of fp32 on this checkpoint (bf16: 0.07 % seen).
   */
  @ParameterizedTest
  @ValueSource(strings = {"fp16", "bf16"})
  void halfPrecisionScoresAreFp32ScoresRounded(String dtype) throws Exception {
    double tolerance = 0.005;
    try (DjlEngine fp32 = DjlEngine.load(sharp, ModelSpec.FORMAT_HF_LLAMA, "fp32", 2048, Device.cpu());
         DjlEngine half = DjlEngine.load(sharp, ModelSpec.FORMAT_HF_LLAMA, dtype, 2048, Device.cpu())) {
      List<LoglikelihoodResult> expected = fp32.loglikelihood(SCORING);
      List<LoglikelihoodResult> actual = half.loglikelihood(SCORING);
      double largest = 0;
      for (int i = 0; i < SCORING.size(); i++) {
        double e = expected.get(i).logLikelihood();
        double a = actual.get(i).logLikelihood();
        assertTrue(Double.isFinite(a), dtype + " #" + i + " = " + a);
        assertEquals(e, a, tolerance * Math.abs(e), dtype + " #" + i);
        largest = Math.max(largest, Math.abs(a - e));
      }
      assertTrue(largest > 1e-6, dtype + " gave fp32's numbers exactly: the dtype was not used");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"fp16", "bf16"})
  void leftPaddedHalfPrecisionGenerationStaysFinite(String dtype) throws Exception {
    // prompts of very different lengths: the short ones' padding rows see no real key at all
    List<GenerationRequest> batch = List.of(
        new GenerationRequest("A", List.of(), 6, false, 0.0, 1.0, 0, 1L),
        new GenerationRequest("The quick brown fox jumps over the lazy dog. ".repeat(6), List.of(), 6, false, 0.0, 1.0, 0, 2L));
    try (DjlEngine fp32 = DjlEngine.load(sharp, ModelSpec.FORMAT_HF_LLAMA, "fp32", 2048, Device.cpu());
         DjlEngine half = DjlEngine.load(sharp, ModelSpec.FORMAT_HF_LLAMA, dtype, 2048, Device.cpu())) {
      List<GenerationResult> expected = fp32.generate(batch);
      List<GenerationResult> actual = half.generate(batch);
      for (int i = 0; i < batch.size(); i++) {
        // a NaN row would sample token 0 over and over; the first greedy token of a sharp model survives rounding
        assertEquals(expected.get(i).generatedIds()[0], actual.get(i).generatedIds()[0], dtype + " first token #" + i);
      }
      // scoring the short prompt alone and inside the padded batch agree in half precision too
      LoglikelihoodRequest shortOne = new LoglikelihoodRequest("A", " dog", false);
      LoglikelihoodRequest longOne = new LoglikelihoodRequest("The quick brown fox jumps over the lazy dog. ".repeat(6), "The", false);
      double alone = half.loglikelihood(List.of(shortOne)).get(0).logLikelihood();
      double padded = half.loglikelihood(List.of(longOne, shortOne)).get(1).logLikelihood();
      assertTrue(Double.isFinite(padded), "padded " + dtype + " score " + padded);
      assertEquals(alone, padded, 0.02 * Math.abs(alone), "padding changes " + dtype + " scores by rounding only");
    }
  }

  /**
   * bf16 weights are bf16 (half the bytes of fp32 in the weights' manager) and bf16 checkpoint values survive
   * loading bit for bit: scoring through the bf16 engine on a checkpoint whose weights are already bf16 values
   * differs from fp32 only through the products' rounding, which the tolerance test above bounds; here, the
   * same engine scores the same requests identically twice and a batch does not change a row (no state leaks).
   */
  @Test
  void bf16ScoresAreDeterministicAndBatchIndependent() throws Exception {
    try (DjlEngine bf16 = DjlEngine.load(sharp, ModelSpec.FORMAT_HF_LLAMA, "bf16", 2048, Device.cpu())) {
      List<LoglikelihoodResult> batch = bf16.loglikelihood(SCORING);
      List<LoglikelihoodResult> again = bf16.loglikelihood(SCORING);
      for (int i = 0; i < SCORING.size(); i++) {
        assertEquals(batch.get(i).logLikelihood(), again.get(i).logLikelihood(), 0.0, "run to run #" + i);
        double alone = bf16.loglikelihood(List.of(SCORING.get(i))).get(0).logLikelihood();
        assertEquals(alone, batch.get(i).logLikelihood(), 1e-3 * Math.abs(alone), "alone vs batched #" + i);
      }
    }
  }

  @Test
  void anUnknownDtypeIsAnErrorNamingIt() {
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> DjlEngine.load(sharp, ModelSpec.FORMAT_HF_LLAMA, "int4", 2048, Device.cpu()));
    assertEquals("dtype", e.key());
    assertTrue(e.getMessage().contains("int4"), e.getMessage());
  }

  @Test
  void halfPrecisionResultsAreKeptApartFromFp32Ones() {
    assertEquals("r1", spec("fp32").resultRevision(), "fp32 keeps the plain revision (earlier results stay valid)");
    assertEquals("r1+bf16", spec("bf16").resultRevision());
  }

  private static ModelSpec spec(String dtype) {
    return new ModelSpec("m", "m", "r1", "/x", ModelSpec.FORMAT_HF_LLAMA, dtype, 2048, false, null, null, null, null,
        null, "synthetic", null, null);
  }
}

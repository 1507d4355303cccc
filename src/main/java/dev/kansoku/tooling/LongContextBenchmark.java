package dev.kansoku.tooling;

import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.ModelConfig;

import dev.kansoku.bench.PeakMemory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code kansoku bench long-context}: scoring throughput per token and resident memory as contexts grow (issue 15
 * item 6: within 1.5× of the 512-token figure at 4,096 tokens, resident memory flat across rounds). The 50M bench
 * model's weights with 4,096 positions (rotary: the weights do not depend on the position count), default batch
 * settings, several rounds of the same batch per length; the first length is the baseline.
 */
public final class LongContextBenchmark {
  private LongContextBenchmark() {}

  /** The 50M bench model's weights with 4,096 positions (rotary: the weights do not depend on the position count). */
  private static Path benchModel(Path tokenizerDir, Path workDir) throws IOException {
    Path base = InferenceBenchmark.prepareModel(tokenizerDir, workDir);
    Path dir = Files.createDirectories(workDir.resolve("bench-llama-50m-4k"));
    Files.writeString(dir.resolve("config.json"), InferenceBenchmark.CONFIG.replace("\"max_position_embeddings\": 2048",
        "\"max_position_embeddings\": 4096"));
    for (String f : List.of("tokenizer.json", "model.safetensors")) {
      Files.deleteIfExists(dir.resolve(f));
      Files.createLink(dir.resolve(f), base.resolve(f));
    }
    return dir;
  }

  /**
   * @param model a checkpoint to measure instead of the 50M bench model (e.g. one {@code check-model --out} wrote with
   *     a study model's shapes); null for the bench model
   */
  public static void run(Path tokenizerDir, Path workDir, Path model, List<Integer> contexts, int rounds, int batch, PrintWriter out)
      throws IOException {
    Path dir = model != null ? model : benchModel(tokenizerDir, workDir);
    ModelConfig c = ModelConfig.read(dir.resolve("config.json"));
    out.printf("long contexts: %s (hidden %d, %d layers), fp32, CPU, %d cores; batch %s, %d rounds per length "
            + "(default canonical shapes: batch-size 8, batch-tokens 8192)%n", model != null ? dir : "the 50M bench model with 4,096 positions",
        c.hiddenSize(), c.numLayers(), Runtime.getRuntime().availableProcessors(), batch > 0 ? batch : "one full pass", rounds);
    // the work per token grows with the context: eager attention multiplies every query with every key
    // (q·kᵀ and p·v: 4 · keys · heads · headDim FLOPs per token and layer) on top of the fixed 2 · N of the projections
    double perTokenFixed = 2 * (InferenceBenchmark.parameters(c) - (double) c.vocabSize() * c.hiddenSize() * (c.tieWordEmbeddings() ? 1 : 2));
    double perKey = 4.0 * c.numLayers() * c.numHeads() * c.headDim();
    String sentence = "The city councilmen refused the demonstrators a permit because they feared violence. ";
    double baseline = 0;
    double baselineFlops = 0;
    try (DjlEngine engine = DjlEngine.load(dir, 4096)) {
      int perSentence = engine.tokenizer().encode(sentence, false).length;
      for (int target : contexts) {
        // batch 0: as many requests as one canonical pass of this width holds, so that no length pays for empty rows
        int requests = batch > 0 ? batch : BatchShapes.DEFAULT.rows(BatchShapes.bucket(target + 8));
        List<LoglikelihoodRequest> reqs = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          reqs.add(new LoglikelihoodRequest(i + " " + sentence.repeat(Math.max(1, target / perSentence)), " the answer is yes", false));
        }
        long tokens = 0;
        for (LoglikelihoodRequest r : reqs) {
          long[][] pair = engine.encodePair(r);
          tokens += pair[0].length + pair[1].length - 1;
        }
        engine.loglikelihood(reqs); // warm-up: the shapes' first allocation
        long residentFirst = PeakMemory.currentResidentMb();
        double[] seconds = new double[rounds];
        long[] resident = new long[rounds];
        for (int r = 0; r < rounds; r++) {
          long t0 = System.nanoTime();
          engine.loglikelihood(reqs);
          seconds[r] = (System.nanoTime() - t0) / 1e9;
          resident[r] = PeakMemory.currentResidentMb();
        }
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double tps = tokens / sorted[rounds / 2];
        // padded to the bucket, every query meets every key of its row
        double flopsPerToken = perTokenFixed + perKey * BatchShapes.bucket((int) (tokens / requests));
        baseline = baseline == 0 ? tps : baseline;
        baselineFlops = baselineFlops == 0 ? flopsPerToken : baselineFlops;
        out.printf("  ≈%,5d tokens × %d: %7.0f tokens/s (median of %d; ×%.2f of the first length per token, the FLOPs allow ×%.2f); "
                + "resident after warm-up %,d MB, after each round %s MB%n", tokens / requests, requests, tps, rounds, tps / baseline,
            baselineFlops / flopsPerToken, residentFirst, Arrays.toString(resident));
        out.flush();
      }
    }
    out.printf("peak resident memory %,d MB (of which Java heap at most %,d MB, committed %,d MB)%n", PeakMemory.residentMb(),
        PeakMemory.heapMb(), Runtime.getRuntime().totalMemory() >> 20);
    out.flush();
  }
}

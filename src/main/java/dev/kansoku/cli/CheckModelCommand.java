package dev.kansoku.cli;

import dev.kansoku.bench.PeakMemory;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.LoglikelihoodResult;
import dev.kansoku.tooling.ShapeTrueCheckpoint;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kansoku check-model}: whether a published model's shapes load and run here, without downloading it.
 * Writes a random-weight checkpoint with the exact tensor names, shapes and bf16 storage of a {@code config.json}
 * (sharded, with an index; fewer layers if asked, full-size embeddings and heads), loads it as the executors do,
 * scores and generates, and prints the load time and throughput, the peak resident memory against the weights'
 * bytes in the compute dtype, and the largest tensor.
 */
@Command(name = "check-model", mixinStandardHelpOptions = true,
    description = "Write a random checkpoint shaped like a config.json (bf16 shards + index), load it, score, generate; print load MB/s and peak memory.")
class CheckModelCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "The model's config.json (as published).")
  Path config;

  @Option(names = "--layers", defaultValue = "2", description = "Decoder layers to keep (0 = all; default: ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--shards", defaultValue = "2", description = "Safetensors shards (default: ${DEFAULT-VALUE}).")
  int shards;

  @Option(names = "--dtype", defaultValue = "fp32", description = "Compute dtype: fp32, fp16 or bf16 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--tokenizer", defaultValue = "data/models/kansoku-tiny-llama/tokenizer.json",
      description = "tokenizer.json to place beside the weights (default: the bundled one).")
  Path tokenizer;

  @Option(names = "--out", description = "Where to write the checkpoint (default: a temporary directory, deleted after).")
  Path out;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--reuse", description = "Load the checkpoint an earlier check-model left in --out instead of writing one "
      + "(to try another dtype on the same weights).")
  boolean reuse;

  @Option(names = "--report", description = "Also write the figures, the scored ids and the generated ids to this JSON file "
      + "(src/test/python/check_model_parity.py compares them with the PyTorch transcription).")
  Path report;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    if (reuse && out == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--reuse needs --out (the folder an earlier check-model wrote)");
    }
    Path dir = out != null ? out : Files.createTempDirectory("kansoku-check-model-");
    try {
      long t0 = System.nanoTime();
      ShapeTrueCheckpoint.Written ckpt = reuse ? ShapeTrueCheckpoint.describe(dir)
          : ShapeTrueCheckpoint.write(config, tokenizer, dir, layers, shards, seed);
      double writeSeconds = (System.nanoTime() - t0) / 1e9;
      w.printf("checkpoint: %s: %d tensors, %,d MB of bf16 in %d shard(s) + index, %s in %.1f s%n", dir, ckpt.tensors(),
          ckpt.bytes() >> 20, ckpt.shards(), reuse ? "found" : "written", writeSeconds);
      w.printf("largest tensor: %s %s, %,d elements (%s 2^29)%n", ckpt.largest().name(), java.util.Arrays.toString(ckpt.largest().shape()),
          ckpt.largest().elements(), ckpt.largest().elements() > (1L << 29) ? ">" : "<=");
      long weightBytes = ckpt.bytes() / 2 * (dtype.equals("fp32") ? 4 : 2);
      // the native library loads once per process (0.5–1 s here): started first, so that the figure is the weights'
      long e0 = System.nanoTime();
      ai.djl.engine.Engine.getEngine("PyTorch");
      w.printf("engine start (native library, once per process): %.1f s%n", (System.nanoTime() - e0) / 1e9);
      System.gc();
      long before = PeakMemory.currentResidentMb();
      PeakMemory.resetResidentPeak();
      t0 = System.nanoTime();
      try (DjlEngine engine = DjlEngine.load(dir, ModelSpec.FORMAT_HF_LLAMA, dtype, 2048, ai.djl.Device.cpu())) {
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        long peak = PeakMemory.residentMb();
        long after = PeakMemory.currentResidentMb();
        w.printf("load (%s): %.1f s, %.0f MB/s of stored weights; resident %,d MB before, peak %,d MB: +%,d MB = %.2f × the "
                + "weights in %s (%,d MB); %,d MB after%n", dtype, loadSeconds, (ckpt.bytes() >> 20) / loadSeconds, before, peak,
            peak - before, (peak - before) / (double) (weightBytes >> 20), dtype, weightBytes >> 20, after);
        LoglikelihoodResult ll = engine.loglikelihood(List.of(new LoglikelihoodRequest("The capital of Japan is", " Tokyo", false))).get(0);
        w.printf("loglikelihood: %s (%d context + %d continuation tokens)%n", ll.logLikelihood(), ll.contextIds().length,
            ll.continuationIds().length);
        GenerationResult g = engine.generate(List.of(new GenerationRequest("The capital of Japan is", List.of(), 8, false))).get(0);
        w.printf("generation: %d tokens, finish %s%n", g.generatedIds().length, g.finishReason());
        if (report != null) {
          writeReport(ckpt, loadSeconds, before, peak, after, weightBytes, ll, g);
          w.printf("report: %s%n", report);
        }
      }
      w.flush();
      return 0;
    } finally {
      if (out == null) {
        try (var files = Files.walk(dir)) {
          for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  private void writeReport(ShapeTrueCheckpoint.Written ckpt, double loadSeconds, long residentBefore, long residentPeak, long residentAfter,
      long weightBytes,
      LoglikelihoodResult ll, GenerationResult g) throws IOException {
    var json = new ObjectMapper();
    var r = json.createObjectNode();
    r.put("config", config.toString()).put("dtype", dtype).put("tensors", ckpt.tensors()).put("stored_bytes", ckpt.bytes())
        .put("shards", ckpt.shards()).put("largest_tensor", ckpt.largest().name()).put("largest_elements", ckpt.largest().elements())
        .put("load_seconds", loadSeconds).put("load_mb_per_s", (ckpt.bytes() >> 20) / loadSeconds)
        .put("resident_before_mb", residentBefore).put("resident_peak_mb", residentPeak).put("resident_after_load_mb", residentAfter).put("weight_mb", weightBytes >> 20)
        .put("peak_over_weights", (residentPeak - residentBefore) / (double) (weightBytes >> 20))
        .put("loglikelihood", ll.logLikelihood()).put("truncated", ll.truncated());
    ids(r.putArray("context_ids"), ll.contextIds());
    ids(r.putArray("continuation_ids"), ll.continuationIds());
    ids(r.putArray("prompt_ids"), g.promptIds());
    ids(r.putArray("generated_ids"), g.generatedIds());
    json.writerWithDefaultPrettyPrinter().writeValue(report.toFile(), r);
  }

  private static void ids(com.fasterxml.jackson.databind.node.ArrayNode into, long[] ids) {
    for (long id : ids) {
      into.add(id);
    }
  }
}

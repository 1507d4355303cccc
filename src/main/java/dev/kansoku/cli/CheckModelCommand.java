package dev.kansoku.cli;

import dev.kansoku.bench.PeakMemory;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.LlamaEngine;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.LoglikelihoodResult;
import dev.kansoku.inference.ShapeTrueCheckpoint;
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

  @Option(names = "--dtype", defaultValue = "fp32", description = "Compute dtype: fp32 or fp16 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--tokenizer", defaultValue = "data/models/kansoku-tiny-llama/tokenizer.json",
      description = "tokenizer.json to place beside the weights (default: the bundled one).")
  Path tokenizer;

  @Option(names = "--out", description = "Where to write the checkpoint (default: a temporary directory, deleted after).")
  Path out;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
  long seed;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    Path dir = out != null ? out : Files.createTempDirectory("kansoku-check-model-");
    try {
      long t0 = System.nanoTime();
      ShapeTrueCheckpoint.Written ckpt = ShapeTrueCheckpoint.write(config, tokenizer, dir, layers, shards, seed);
      double writeSeconds = (System.nanoTime() - t0) / 1e9;
      w.printf("checkpoint: %s: %d tensors, %,d MB of bf16 in %d shard(s) + index, written in %.1f s%n", dir, ckpt.tensors(),
          ckpt.bytes() >> 20, ckpt.shards(), writeSeconds);
      w.printf("largest tensor: %s %s, %,d elements (%s 2^29)%n", ckpt.largest().name(), java.util.Arrays.toString(ckpt.largest().shape()),
          ckpt.largest().elements(), ckpt.largest().elements() > (1L << 29) ? ">" : "<=");
      long weightBytes = ckpt.bytes() / 2 * (dtype.equals("fp16") ? 2 : 4);
      System.gc();
      long before = PeakMemory.currentResidentMb();
      PeakMemory.resetResidentPeak();
      t0 = System.nanoTime();
      try (LlamaEngine engine = LlamaEngine.load(dir, ModelSpec.FORMAT_HF_LLAMA, dtype, 2048, ai.djl.Device.cpu())) {
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        long peak = PeakMemory.residentMb();
        w.printf("load (%s): %.1f s, %.0f MB/s of stored weights; resident %,d MB before, peak %,d MB: +%,d MB = %.2f × the "
                + "weights in %s (%,d MB)%n", dtype, loadSeconds, (ckpt.bytes() >> 20) / loadSeconds, before, peak, peak - before,
            (peak - before) / (double) (weightBytes >> 20), dtype, weightBytes >> 20);
        LoglikelihoodResult ll = engine.loglikelihood(List.of(new LoglikelihoodRequest("The capital of Japan is", " Tokyo", false))).get(0);
        w.printf("loglikelihood: %s (%d context + %d continuation tokens)%n", ll.logLikelihood(), ll.contextIds().length,
            ll.continuationIds().length);
        GenerationResult g = engine.generate(List.of(new GenerationRequest("The capital of Japan is", List.of(), 8, false))).get(0);
        w.printf("generation: %d tokens, finish %s%n", g.generatedIds().length, g.finishReason());
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
}

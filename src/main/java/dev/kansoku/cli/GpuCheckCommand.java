package dev.kansoku.cli;

import dev.kansoku.tooling.DeviceChecks;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kansoku-engine gpu-check}: the GPU kit's checks (deploy/gpu/run.sh), each writing figures into one JSON:
 * (a) the bundled model's log-likelihoods and greedy ids on the device against the CPU goldens, per dtype;
 * (b) shape-true checkpoints of published configs: load time and scoring / generation throughput at several batch
 * sizes, with the requests and scores written out for the transformers comparison (deploy/gpu/hf_compare.py);
 * (d) the out-of-memory back-off on a real CUDA out-of-memory error (GPU only); (e) the layer split over two devices (the same device twice) against the unsplit scores. A check that fails is
 * recorded with its error and the others still run. {@code --write-goldens} writes (a)'s goldens on this device.
 */
@Command(name = "gpu-check", mixinStandardHelpOptions = true,
    description = "The GPU kit's checks on one device: goldens, throughput on shape-true checkpoints, layer split (JSON figures).")
final class GpuCheckCommand implements Callable<Integer> {
  @Option(names = "--device", defaultValue = "cpu", description = "cpu or a GPU index (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--model", defaultValue = "data/models/kansoku-tiny-llama", description = "The bundled model (default: ${DEFAULT-VALUE}).")
  Path model;

  @Option(names = "--goldens", defaultValue = "deploy/gpu/goldens.json", description = "CPU goldens of check (a) (default: ${DEFAULT-VALUE}).")
  Path goldens;

  @Option(names = "--write-goldens", description = "Write check (a)'s values on this device to --goldens and stop.")
  boolean writeGoldens;

  @Option(names = "--bench-configs", split = ",", description = "config.json files of the throughput check (b); none skips it.")
  List<Path> benchConfigs = List.of();

  @Option(names = "--bench-layers", defaultValue = "0", description = "Decoder layers of (b)'s checkpoints (0 = all; default: ${DEFAULT-VALUE}).")
  int benchLayers;

  @Option(names = "--bench-dtype", defaultValue = "bf16", description = "Compute dtype of (b) (default: ${DEFAULT-VALUE}).")
  String benchDtype;

  @Option(names = "--batches", split = ",", defaultValue = "1,8,32", description = "Scoring batch sizes of (b) (default: ${DEFAULT-VALUE}).")
  List<Integer> batches;

  @Option(names = "--context-tokens", defaultValue = "512", description = "Context length of (b)'s scoring requests (default: ${DEFAULT-VALUE}).")
  int contextTokens;

  @Option(names = "--new-tokens", defaultValue = "64", description = "Generated tokens per request in (b) (default: ${DEFAULT-VALUE}).")
  int newTokens;

  @Option(names = "--work-dir", defaultValue = "target/gpu-check", description = "Where (b)'s checkpoints are written (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--out", required = true, description = "The JSON of figures to write.")
  Path out;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    // the checks live with the other tooling; this command only reads the options
    DeviceChecks.Settings settings = new DeviceChecks.Settings(device, model, goldens, writeGoldens, benchConfigs, benchLayers,
        benchDtype, batches, contextTokens, newTokens, workDir, out);
    return new DeviceChecks(settings).run(spec.commandLine().getOut());
  }
}

package dev.kansoku.cli;

import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.DeviceMemory;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.inference.DeviceBudgets;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.ModelFormatException;
import dev.kansoku.inference.RandomCheckpoint;
import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of the debugging commands that load one model directory. */
final class ModelOptions {
  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec mixee;

  @Option(names = "--model", required = true, description = "Model directory (config.json, tokenizer.json, and *.safetensors, model.pt or model.onnx).")
  Path model;

  @Option(names = "--format", defaultValue = ModelSpec.FORMAT_HF_LLAMA,
      description = "hf-llama (safetensors), torchscript (model.pt) or onnx (model.onnx) (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--dtype", defaultValue = "fp32", description = "Compute dtype: fp32 or fp16 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--devices", defaultValue = "cpu", split = ",",
      description = "cpu, or GPU indices (0,1,…): the model loads on the first and is split by layers over the others "
          + "when it does not fit (default: ${DEFAULT-VALUE}).")
  java.util.List<String> devices;

  @Option(names = "--device-memory-gib", defaultValue = "0",
      description = "Memory per device for the split plan, in GiB (0 = as the GPU reports free).")
  double deviceMemoryGib;

  @Option(names = "--max-length", defaultValue = "2048", description = "Longest sequence (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--add-special-tokens", description = "Encode with the tokenizer's special tokens (default: off, as lm-evaluation-harness).")
  boolean addSpecialTokens;

  @Option(names = "--verbose", description = "Also print token ids and tokens exactly as the tokenizer produced them.")
  boolean verbose;

  DjlEngine load() throws Exception {
    Path dir = model.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new ModelFormatException(dir, "--model", "model directory does not exist");
    }
    // the embedded default's weights are generated on first use (see its SOURCE.md)
    Path conf = Path.of("conf");
    if (Files.isDirectory(conf.resolve("models"))) {
      for (ModelSpec m : new ConfigLoader(conf).loadModels().values()) {
        if (m.generatedWeights() && Path.of(m.path()).equals(dir)) {
          RandomCheckpoint.ensureWeights(dir);
        }
      }
    }
    return DjlEngine.load(dir, format, dtype, maxLength,
        DeviceBudgets.of(new DeviceMemory(deviceMemoryGib, DeviceMemory.DEVICE_REPORTED.weightShare()), devices()));
  }

  private java.util.List<Device> devices() {
    java.util.List<Device> out = new java.util.ArrayList<>();
    for (String d : devices) {
      try {
        out.add(d.trim().equalsIgnoreCase("cpu") ? Device.cpu() : Device.gpu(Integer.parseInt(d.trim())));
      } catch (NumberFormatException e) {
        throw new picocli.CommandLine.ParameterException(mixee.commandLine(), "--devices: '" + d + "' is neither cpu nor a GPU index");
      }
    }
    return out;
  }
}

package dev.kansoku.cli;

import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.inference.LlamaEngine;
import dev.kansoku.inference.TinyLlamaFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of the debugging commands that load one model directory. */
final class ModelOptions {
  @Option(names = "--model", required = true, description = "Model directory (config.json, tokenizer.json, and *.safetensors, model.pt or model.onnx).")
  Path model;

  @Option(names = "--format", defaultValue = ModelSpec.FORMAT_HF_LLAMA,
      description = "hf-llama (safetensors), torchscript (model.pt) or onnx (model.onnx) (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--max-length", defaultValue = "2048", description = "Longest sequence (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--add-special-tokens", description = "Encode with the tokenizer's special tokens (default: off, as lm-evaluation-harness).")
  boolean addSpecialTokens;

  @Option(names = "--verbose", description = "Also print token ids and tokens exactly as the tokenizer produced them.")
  boolean verbose;

  LlamaEngine load() throws Exception {
    Path dir = model.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new dev.kansoku.inference.ModelFormatException(dir, "--model", "model directory does not exist");
    }
    // the embedded default's weights are generated on first use (see its SOURCE.md)
    Path conf = Path.of("conf");
    if (Files.isDirectory(conf.resolve("models"))) {
      for (ModelSpec m : new ConfigLoader(conf).loadModels().values()) {
        if (m.generatedWeights() && Path.of(m.path()).equals(dir)) {
          TinyLlamaFactory.ensureWeights(dir);
        }
      }
    }
    return LlamaEngine.load(dir, format, maxLength, ai.djl.Device.cpu());
  }
}

package dev.kansoku.inference;

import dev.kansoku.config.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cheap driver-side checks of a model directory before any work starts: {@code config.json} parses and names
 * a supported architecture, the weight files resolve ({@link SafetensorsCheckpoint}: the index's shards exist and
 * hold their tensors, no tensor is in two files) and every header is valid and fits its file (or, for an export,
 * {@code model.pt} / {@code model.onnx} is there), and {@code tokenizer.json} is there. Reads headers only, never
 * weights.
 */
public final class ModelPreflight {
  private ModelPreflight() {}

  /** Returns the parsed config.json (callers size their work from it). */
  public static ModelConfig check(ModelSpec spec) throws IOException {
    return check(spec, true);
  }

  /**
   * The checks a directory without its weight files allows (a model on shared storage, whose config and tokenizer
   * the driver copied; the executors check the weights when they load them).
   */
  public static ModelConfig checkWithoutWeights(ModelSpec spec) throws IOException {
    return check(spec, false);
  }

  private static ModelConfig check(ModelSpec spec, boolean weights) throws IOException {
    Path dir = Path.of(spec.path());
    if (spec.generatedWeights()) {
      TinyLlamaFactory.ensureWeights(dir);
    }
    ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
    DjlEngine.computeType(dir, spec.dtype());
    if (!weights) {
      requireFile(dir.resolve("tokenizer.json"));
      return config;
    }
    switch (spec.format()) {
      case ModelSpec.FORMAT_TORCHSCRIPT -> requireFile(dir.resolve(ExportedDecoder.Format.TORCHSCRIPT.file()));
      case ModelSpec.FORMAT_ONNX -> requireFile(dir.resolve(ExportedDecoder.Format.ONNX.file()));
      default -> SafetensorsCheckpoint.open(dir);
    }
    requireFile(dir.resolve("tokenizer.json"));
    return config;
  }

  private static void requireFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(file, file.getFileName().toString(), "file not found");
    }
  }
}

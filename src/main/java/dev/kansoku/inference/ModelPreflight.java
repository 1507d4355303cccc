package dev.kansoku.inference;

import dev.kansoku.config.ModelSpec;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cheap driver-side checks of a model directory before any work starts: {@code config.json} parses and names
 * a supported architecture, every {@code *.safetensors} header is valid and fits its file (or, for an export,
 * {@code model.pt} / {@code model.onnx} is there), and {@code tokenizer.json} is there. Reads headers only, never
 * weights.
 */
public final class ModelPreflight {
  private ModelPreflight() {}

  /** Returns the parsed config.json (callers size their work from it). */
  public static LlamaConfig check(ModelSpec spec) throws IOException {
    Path dir = Path.of(spec.path());
    if (spec.generatedWeights()) {
      TinyLlamaFactory.ensureWeights(dir);
    }
    LlamaConfig config = LlamaConfig.read(dir.resolve("config.json"));
    LlamaEngine.computeType(dir, spec.dtype());
    switch (spec.format()) {
      case ModelSpec.FORMAT_TORCHSCRIPT -> requireFile(dir.resolve(ExportedDecoder.Format.TORCHSCRIPT.file()));
      case ModelSpec.FORMAT_ONNX -> requireFile(dir.resolve(ExportedDecoder.Format.ONNX.file()));
      default -> {
        int files = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.safetensors")) {
          for (Path f : ds) {
            SafetensorsFile.open(f);
            files++;
          }
        }
        if (files == 0) {
          throw new ModelFormatException(dir, "*.safetensors", "no weight files in the model directory");
        }
      }
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

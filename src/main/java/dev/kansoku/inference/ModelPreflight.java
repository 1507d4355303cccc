package dev.kansoku.inference;

import dev.kansoku.config.ModelSpec;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cheap driver-side checks of a model directory before any work starts: {@code config.json} parses and names
 * a supported architecture, every {@code *.safetensors} header is valid and fits its file, and
 * {@code tokenizer.json} is there. Reads headers only, never weights.
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
    if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
      throw new ModelFormatException(dir.resolve("tokenizer.json"), "tokenizer.json", "file not found");
    }
    return config;
  }
}

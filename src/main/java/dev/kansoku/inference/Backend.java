package dev.kansoku.inference;

import dev.kansoku.config.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How models of one or more {@code model.format}s are checked, loaded and tokenized: the one place a format name is
 * resolved ({@link Backends}, through {@code META-INF/services}). EvaluateJob, ScoreExamples, the model pool and the
 * configuration checks go through it only, so a new backend (an HTTP client, say) plugs in without touching them.
 */
public interface Backend {
  /** The {@code model.format} values this backend serves. */
  Set<String> formats();

  /**
   * Cheap driver-side checks before any work starts (reads headers, never weights).
   *
   * @param weights false for a directory whose weights stay on shared storage (its config and tokenizer were staged)
   * @return the model's shape when the backend knows it (request costs are estimated from it), else empty
   */
  Optional<ModelConfig> preflight(ModelSpec spec, Path localDir, boolean weights) throws IOException;

  /** Loads the model, with sequences cut to {@code maxLength} tokens, on {@code devices}. */
  LanguageModel load(ModelSpec spec, Path localDir, int maxLength, List<LayerSplit.DeviceBudget> devices) throws IOException;

  /** The model's tokenizer, for metrics counted in its tokens. */
  default TextTokenizer tokenizer(ModelSpec spec, Path localDir) throws IOException {
    return TextTokenizer.load(localDir);
  }
}

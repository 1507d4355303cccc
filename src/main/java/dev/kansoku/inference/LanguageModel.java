package dev.kansoku.inference;

import java.util.List;
import java.util.Optional;

/**
 * The port the pipeline talks to a model through, in the spirit of lm-evaluation-harness's {@code LM}: log-likelihoods
 * of (context, continuation) pairs and generations until stop strings, text in, results out, with options per call.
 * What a backend may or may not offer is an optional capability: forward-pass counts, batch sizing from device
 * memory, and the tokenizer behind its token pieces. A backend is registered by {@code model.format}
 * ({@link Backend}); the local ones run DJL ({@link DjlEngine}), a served model answers over HTTP.
 */
public interface LanguageModel extends AutoCloseable {
  /** Options of one call: the canonical pass shapes a local backend computes in (docs/bit-identity.md). */
  record CallOptions(BatchShapes shapes) {
    public static final CallOptions DEFAULT = new CallOptions(BatchShapes.DEFAULT);
  }

  /** Forward passes a backend ran (local engines). */
  interface PassCounts {
    long total();

    /**
     * Passes run by the calling thread. Several task slots share one loaded model, so the difference of {@link #total}
     * around a batch would count the other slots' passes too.
     */
    long onThisThread();
  }

  /** {@code inference.batch-tokens = auto}: the token budget of a pass from the model and its device's free memory. */
  interface BatchSizing {
    /**
     * Resolved once, at the first call, and the same afterwards ({@link AutoBatchTokens}).
     *
     * @param configuredGib {@code inference.device-memory-gib} (0 = the device's own figure)
     * @param concurrentBatches batches this JVM computes on the model at once
     */
    AutoBatchTokens.Estimate autoBatchTokens(double configuredGib, int concurrentBatches);
  }

  List<LoglikelihoodResult> loglikelihood(List<LoglikelihoodRequest> requests, CallOptions options);

  List<GenerationResult> generate(List<GenerationRequest> requests, CallOptions options);

  default List<LoglikelihoodResult> loglikelihood(List<LoglikelihoodRequest> requests) {
    return loglikelihood(requests, CallOptions.DEFAULT);
  }

  default List<GenerationResult> generate(List<GenerationRequest> requests) {
    return generate(requests, CallOptions.DEFAULT);
  }

  default Optional<PassCounts> passCounts() {
    return Optional.empty();
  }

  default Optional<BatchSizing> batchSizing() {
    return Optional.empty();
  }

  /** The tokenizer whose ids the results' token pieces are, when the backend tokenizes itself. */
  default Optional<TextTokenizer> tokenPieces() {
    return Optional.empty();
  }

  @Override
  void close();
}

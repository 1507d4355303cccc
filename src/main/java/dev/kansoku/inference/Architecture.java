package dev.kansoku.inference;

import java.util.Map;
import java.util.Set;

/**
 * One family of Hugging Face causal LMs, registered by the {@code architectures} string(s) of its config.json
 * ({@link Architectures}, through {@code META-INF/services}). An architecture is the only place that knows its
 * family's config keys and defaults, tensor names and layout, and how its layers are put together from the shared
 * layers ({@link Norm}, {@link Attention}, {@link FeedForward}, {@link DecoderBlock}, {@link Embedder},
 * {@link OutputHead}). Assembly is written once against a {@link TensorSource}: the same code loads a checkpoint
 * and, run against a lister, gives the checkpoint's tensor table ({@link TensorSpec#of}) that shape checks, writers,
 * memory sizing and request costs read — so tensor names are never written twice.
 *
 * <p>The instance the service loader creates is a reader; {@link #read} returns a {@link ModelConfig} whose
 * {@link ModelConfig#implementation()} is an instance carrying this family's own settings (e.g. Cohere's logit scale).
 */
public interface Architecture {
  /** The {@code architectures[0]} values this class implements (Mistral and Qwen2 are configurations of Llama's). */
  Set<String> names();

  /**
   * Reads {@code config.json} for {@code name}, with the defaults of the family's transformers config class; every
   * key it uses is read through {@code f} (unread keys are refused afterwards). Options it does not implement are
   * errors naming the key.
   */
  ModelConfig read(String name, ConfigFields f);

  /** Token (and position) embedding; the first tensors of the checkpoint. By default {@code model.embed_tokens}. */
  default Embedder embedder(ModelConfig c, TensorSource w) {
    return StandardDecoder.embedding(c, w);
  }

  /** Decoder layer {@code i}. */
  DecoderBlock layer(ModelConfig c, int i, TensorSource w);

  /**
   * Final norm and LM head (the embedding matrix when tied); the last tensors of the checkpoint. By default Llama's:
   * an RMSNorm ({@code model.norm}) and {@code lm_head}.
   */
  default OutputHead head(ModelConfig c, TensorSource w, Embedder embedding) {
    Norm norm = Norm.rms(w.normWeight(StandardDecoder.FINAL_NORM, c.hiddenSize()), c.normEps(), w.compute());
    return OutputHead.of(norm, StandardDecoder.lmHead(c, w, embedding), w.compute());
  }

  /** config.json keys that give each tensor dimension, to name them when a weight's shape disagrees. */
  default Map<Long, String> dimensionKeys(ModelConfig c) {
    return StandardDecoder.dimensionKeys(c);
  }

  /** The config.json key of the layer count (a shape-true checkpoint may keep fewer layers). */
  default String layerCountKey() {
    return "num_hidden_layers";
  }

  /** A prefix of the listed names that {@code checkpoint} stores its tensors without ("" when it has them all). */
  default String prefixStoredWithout(SafetensorsCheckpoint checkpoint) {
    return "";
  }

  /**
   * Whether a stored tensor that the tensor table does not list may be left unread: buffers older exports saved with
   * the weights (rotary {@code inv_freq}, GPT-2's causal-mask {@code attn.bias}). Any other unread tensor is an error,
   * since a weight the engine skipped (a bias, a norm) would change the numbers silently.
   */
  default boolean isBuffer(String stored) {
    return stored.endsWith("rotary_emb.inv_freq");
  }

  /** How positions enter attention; by default Llama's rotary halves. */
  default RotaryLayout rotary() {
    return RotaryLayout.HALVES;
  }
}

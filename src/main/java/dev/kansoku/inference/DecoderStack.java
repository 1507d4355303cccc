package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;

/**
 * The network under {@link DjlEngine}: token ids in, per-position features out, with an optional KV cache.
 * {@link DecoderModel} runs the checkpoint's layers itself and returns final hidden states, so that only the rows
 * the engine scores go through the LM head; an exported graph ({@link ExportedDecoder}) returns logits directly
 * and its {@link #logits} is the identity. Everything else (padding, prefix reuse, decoding, the harness's
 * token-boundary rules) is the engine's and is shared by every format.
 */
public interface DecoderStack extends AutoCloseable {
  ModelConfig config();

  KvCache newCache();

  /**
   * Features of the new tokens {@code ids} (B, Tq), attending to the cached tokens as well.
   *
   * @param mask 1/0 for every key, cached ones first: (B, past + Tq)
   * @param positions position ids of the new tokens (B, Tq); real tokens count from 0 under left padding
   * @param cache keys and values of earlier tokens, extended with these; null for a cache-free pass
   */
  NDArray hiddenStates(NDArray ids, NDArray mask, NDArray positions, KvCache cache);

  /** Logits for feature rows (N, features): (N, vocab). */
  NDArray logits(NDArray hidden);

  @Override
  void close();
}

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

  /**
   * Whether {@link #decodeStep} runs: decoding steps of several separately prefilled groups share one pass (the
   * layers' own implementation; an exported graph takes one cache per call).
   */
  default boolean decodesInLanes() {
    return false;
  }

  /**
   * One new token for each row of several groups, each group with its own cache: final features (L, 1, features).
   * Only where {@link #decodesInLanes}.
   */
  default NDArray decodeStep(NDArray ids, NDArray positions, java.util.List<StepGroup> groups) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " decodes one group per pass");
  }

  /** Rows {@code [from, to)} of a decoding step, their cache and their key mask (rows, past + 1). */
  record StepGroup(int from, int to, KvCache cache, NDArray mask) {}

  /** Logits for feature rows (N, features): (N, vocab). */
  NDArray logits(NDArray hidden);

  @Override
  void close();
}

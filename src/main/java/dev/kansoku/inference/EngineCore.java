package dev.kansoku.inference;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the scorer and the generator of one loaded model share: the network, its tokenizer and manager, the
 * harness' token rules (pair encoding, the vocabulary check, the pad id), the forward pass with its counters, and the
 * LM head over canonical row chunks. Immutable apart from the counters.
 */
final class EngineCore implements AutoCloseable {
  final NDManager manager;
  final DecoderStack model;
  final TextTokenizer tokenizer;
  final int maxLength;
  final long padId;
  /** The compute dtype (FLOAT32, FLOAT16, or BFLOAT16 for bf16 products): how finely products are rounded. */
  final DataType computeType;
  private final AtomicLong forwardPasses = new AtomicLong();
  private final ThreadLocal<long[]> threadForwardPasses = ThreadLocal.withInitial(() -> new long[1]);

  EngineCore(NDManager manager, DecoderStack model, TextTokenizer tokenizer, int maxLength, DataType computeType) {
    this.manager = manager;
    this.computeType = computeType;
    this.model = model;
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.padId = model.config().eosTokenIds().isEmpty() ? 0 : model.config().eosTokenIds().get(0);
  }

  long forwardPasses() {
    return forwardPasses.get();
  }

  long forwardPassesOnThisThread() {
    return threadForwardPasses.get()[0];
  }

  /**
   * {@code ids}, checked against the embedding: a tokenizer larger than the model's vocabulary (a tokenizer.json
   * from another model) would fail inside the forward pass with an index error; this names both sizes, and the
   * inference stage turns it into the request's error row.
   */
  long[] inVocabulary(long[] ids) {
    int vocab = model.config().vocabSize();
    for (long id : ids) {
      if (id < 0 || id >= vocab) {
        throw new TokenOutOfVocabularyException(id, vocab);
      }
    }
    return ids;
  }

  /** Context and continuation token ids by the harness' rules ({@link HarnessPairEncoding}), checked against the vocabulary. */
  public long[][] encodePair(LoglikelihoodRequest r) {
    if (r.context().isEmpty()) {
      // the harness scores a context-free continuation after the end-of-text token
      return new long[][] {{padId}, inVocabulary(tokenizer.encode(r.continuation(), r.addSpecialTokens()))};
    }
    long[][] pair = HarnessPairEncoding.encode(tokenizer, r.context(), r.continuation(), r.addSpecialTokens());
    return new long[][] {inVocabulary(pair[0]), inVocabulary(pair[1])};
  }

  /**
   * One forward pass: (rows × width) new tokens attending to (rows × keys) keys, cached ones first. The
   * arrays created here are tracked and freed by the caller's NDScope.
   */
  NDArray forward(long[] ids, long[] mask, long[] positions, int rows, int width, int keys, KvCache cache) {
    forwardPasses.incrementAndGet();
    threadForwardPasses.get()[0]++;
    return model.hiddenStates(manager.create(ids, new Shape(rows, width)), manager.create(mask, new Shape(rows, keys)),
        manager.create(positions, new Shape(rows, width)), cache);
  }

  /**
   * One decoding step of several groups ({@link DecoderStack#decodeStep}): {@code ids} and {@code positions} hold one
   * token per row of the lane ({@code rows} of them, empty slots included); {@code groups} each their rows, cache and
   * key mask (rows × keys, row-major). Counted as one forward pass. Arrays are freed by the caller's NDScope.
   */
  NDArray decodeStep(long[] ids, long[] positions, int rows, List<GroupMask> groups) {
    forwardPasses.incrementAndGet();
    threadForwardPasses.get()[0]++;
    List<DecoderStack.StepGroup> stepGroups = new java.util.ArrayList<>();
    for (GroupMask g : groups) {
      int n = g.to() - g.from();
      stepGroups.add(new DecoderStack.StepGroup(g.from(), g.to(), g.cache(), manager.create(g.mask(), new Shape(n, g.mask().length / n))));
    }
    return model.decodeStep(manager.create(ids, new Shape(rows, 1)), manager.create(positions, new Shape(rows, 1)), stepGroups);
  }

  /** Rows {@code [from, to)} of a decoding step with their cache and key mask (rows × keys, row-major). */
  record GroupMask(int from, int to, KvCache cache, long[] mask) {}

  /**
   * Logits (float32, {@code used} × vocab, row-major) of the first {@code used} feature rows of {@code rows} (N, features),
   * run through the LM head {@link BatchShapes#LOGIT_ROWS} at a time, the last chunk filled with copies of the first
   * row: a row's logits never depend on how many rows went through the head with it.
   */
  float[] logitRows(NDArray rows, int used) {
    return logitRows(rows, used, BatchShapes.LOGIT_ROWS);
  }

  /** As {@link #logitRows(NDArray, int)}, {@code chunk} rows at a time (a decoding lane's own row count). */
  float[] logitRows(NDArray rows, int used, int chunk) {
    int vocab = model.config().vocabSize();
    NDArray picked = inChunks(rows, used, chunk);
    float[] out = new float[used * vocab];
    for (int from = 0; from < used; from += chunk) {
      float[] part = model.logits(picked.get(from + ":" + (from + chunk))).toFloatArray();
      System.arraycopy(part, 0, out, from * vocab, Math.min(chunk, used - from) * vocab);
    }
    return out;
  }

  /** Per row: the target's log-probability, the argmax, and (when asked for) the argmax's log-probability. */
  record TokenScores(float[] logProbs, long[] argmax, float[] maxLogProbs) {}

  /**
   * Log-softmax over the vocabulary of the feature rows {@code selected}, read at {@code targets}. Under canonical
   * shapes the rows go through the LM head {@link BatchShapes#LOGIT_ROWS} at a time, the last chunk filled with
   * copies of the first row, so a row's logits do not depend on how many rows its batch scores.
   */
  TokenScores tokenScores(NDArray selected, long[] targets, BatchShapes shapes) {
    return tokenScores(selected, targets, shapes, false);
  }

  /** As {@link #tokenScores(NDArray, long[], BatchShapes)}; with {@code withMax}, each row's largest log-probability too. */
  TokenScores tokenScores(NDArray selected, long[] targets, BatchShapes shapes, boolean withMax) {
    NDManager m = selected.getManager();
    int total = targets.length;
    if (!shapes.canonical()) {
      NDArray logProbs = model.logits(selected).logSoftmax(1);
      return new TokenScores(logProbs.gather(m.create(targets).reshape(total, 1), 1).toFloatArray(), logProbs.argMax(1).toLongArray(),
          withMax ? logProbs.max(new int[] {1}).toFloatArray() : null);
    }
    int chunk = BatchShapes.LOGIT_ROWS;
    int padded = (total + chunk - 1) / chunk * chunk;
    long[] paddedTargets = Arrays.copyOf(targets, padded);
    NDArray rows = inChunks(selected, total, chunk);
    float[] logProbs = new float[padded];
    long[] argmax = new long[padded];
    float[] max = withMax ? new float[padded] : null;
    for (int from = 0; from < padded; from += chunk) {
      NDArray part = model.logits(rows.get(from + ":" + (from + chunk))).logSoftmax(1);
      long[] t = Arrays.copyOfRange(paddedTargets, from, from + chunk);
      System.arraycopy(part.gather(m.create(t).reshape(chunk, 1), 1).toFloatArray(), 0, logProbs, from, chunk);
      System.arraycopy(part.argMax(1).toLongArray(), 0, argmax, from, chunk);
      if (withMax) {
        System.arraycopy(part.max(new int[] {1}).toFloatArray(), 0, max, from, chunk);
      }
    }
    return new TokenScores(logProbs, argmax, max);
  }

  /**
   * The first {@code used} rows of {@code rows}, followed by copies of its first row up to a multiple of {@code chunk}
   * (the LM head's fixed shape; a copy's scores are never read).
   */
  private static NDArray inChunks(NDArray rows, int used, int chunk) {
    int padded = (used + chunk - 1) / chunk * chunk;
    if (padded == used && used == rows.getShape().get(0)) {
      return rows;
    }
    long[] index = new long[padded];
    for (int i = 0; i < used; i++) {
      index[i] = i;
    }
    return rows.get(rows.getManager().create(index));
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
    manager.close();
  }
}

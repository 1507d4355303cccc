package dev.kansoku.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;

/**
 * Keys and values of every layer for the tokens seen so far (after rotary embedding, before the GQA
 * repeat), shape (B, kvHeads, T, headDim). The arrays outlive the per-step {@link NDScope}s; the cache
 * frees the ones it replaces, and everything on {@link #close}.
 */
public final class KvCache implements AutoCloseable {
  private final NDArray[] keys;
  private final NDArray[] values;

  public KvCache(int layers) {
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
  }

  /** Tokens cached so far (0 before the first forward pass). */
  public long length() {
    return keys[0] == null ? 0 : keys[0].getShape().get(2);
  }

  NDArray key(int layer) {
    return keys[layer];
  }

  NDArray value(int layer) {
    return values[layer];
  }

  /** Stores a layer's keys and values (past and new), keeping them beyond the current scope. */
  void put(int layer, NDArray k, NDArray v) {
    NDScope.unregister(k, v);
    if (keys[layer] != null) {
      keys[layer].close();
      values[layer].close();
    }
    keys[layer] = k;
    values[layer] = v;
  }

  /** Keeps only the batch rows in {@code rows} (sequences that finished leave the batch). */
  public void select(long[] rows) {
    for (int l = 0; l < keys.length; l++) {
      if (keys[l] == null) {
        continue;
      }
      NDArray index = keys[l].getManager().create(rows);
      NDArray k = keys[l].get(new NDIndex("{}", index));
      NDArray v = values[l].get(new NDIndex("{}", index));
      index.close();
      put(l, k, v);
    }
  }

  /** Appends {@code other}'s rows after this cache's rows (same layers and key length), and closes {@code other}. */
  public void append(KvCache other) {
    for (int l = 0; l < keys.length; l++) {
      if (keys[l] == null) {
        continue;
      }
      put(l, keys[l].concat(other.keys[l], 0), values[l].concat(other.values[l], 0));
    }
    other.close();
  }

  /** A new cache holding copies of the batch rows {@code rows} (a row may repeat); this one is unchanged. */
  public KvCache selected(long[] rows) {
    KvCache out = new KvCache(keys.length);
    for (int l = 0; l < keys.length; l++) {
      if (keys[l] == null) {
        continue;
      }
      NDArray index = keys[l].getManager().create(rows);
      out.put(l, keys[l].get(new NDIndex("{}", index)), values[l].get(new NDIndex("{}", index)));
      index.close();
    }
    return out;
  }

  @Override
  public void close() {
    for (int l = 0; l < keys.length; l++) {
      if (keys[l] != null) {
        keys[l].close();
        values[l].close();
        keys[l] = null;
        values[l] = null;
      }
    }
  }
}

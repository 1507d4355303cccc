package dev.kansoku.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Names a task file may use, each bound to what implements it (a dataset loader, a prompt style, a metric). One
 * registry per kind of name: adding a format, style or metric is one class plus one {@link Builder#add} line, and
 * an unknown name fails with the list of known ones.
 *
 * @param <T> what a name stands for
 */
public final class Registry<T> {
  private final String kind;
  private final Map<String, Supplier<? extends T>> entries;

  private Registry(String kind, Map<String, Supplier<? extends T>> entries) {
    this.kind = kind;
    this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
  }

  public static <T> Builder<T> builder(String kind) {
    return new Builder<>(kind);
  }

  /** What the name stands for; an {@link IllegalArgumentException} naming the known names when it is not registered. */
  public T get(String name) {
    Supplier<? extends T> entry = entries.get(name);
    if (entry == null) {
      throw new IllegalArgumentException("unknown " + kind + " '" + name + "' (known: " + String.join(", ", entries.keySet()) + ")");
    }
    return entry.get();
  }

  /** Fails as {@link #get} does when the name is not registered, without building anything. */
  public void require(String name) {
    if (!entries.containsKey(name)) {
      get(name);
    }
  }

  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** The registered names, in registration order. */
  public Set<String> names() {
    return entries.keySet();
  }

  /** What a name is, in messages ("dataset format", "metric"). */
  public String kind() {
    return kind;
  }

  /** Collects a registry's names in the order they are shown to users. */
  public static final class Builder<T> {
    private final String kind;
    private final Map<String, Supplier<? extends T>> entries = new LinkedHashMap<>();

    private Builder(String kind) {
      this.kind = kind;
    }

    public Builder<T> add(String name, Supplier<? extends T> entry) {
      if (entries.putIfAbsent(name, entry) != null) {
        throw new IllegalStateException(kind + " '" + name + "' registered twice");
      }
      return this;
    }

    public Registry<T> build() {
      return new Registry<>(kind, entries);
    }
  }
}

package dev.kansoku.text.jinja;

import java.util.List;
import java.util.Map;

/** Python-style binding of a call's positional and keyword arguments to named parameters with defaults. */
final class Args {
  private final String function;
  private final Object[] values;

  private Args(String function, Object[] values) {
    this.function = function;
    this.values = values;
  }

  /** {@code params} alternates name and default; {@link #REQUIRED} marks a parameter without one. */
  static Args bind(String function, List<Object> args, Map<String, Object> kwargs, Object... params) {
    int n = params.length / 2;
    if (args.size() > n) {
      throw TemplateException.type(function + "() takes at most " + n + " arguments (" + args.size() + " given)");
    }
    Object[] values = new Object[n];
    boolean[] set = new boolean[n];
    for (int i = 0; i < args.size(); i++) {
      values[i] = args.get(i);
      set[i] = true;
    }
    for (var e : kwargs.entrySet()) {
      int k = -1;
      for (int i = 0; i < n; i++) {
        if (params[2 * i].equals(e.getKey())) {
          k = i;
        }
      }
      if (k < 0) {
        throw TemplateException.type(function + "() got an unexpected keyword argument '" + e.getKey() + "'");
      }
      if (set[k]) {
        throw TemplateException.type(function + "() got multiple values for argument '" + e.getKey() + "'");
      }
      values[k] = e.getValue();
      set[k] = true;
    }
    for (int i = 0; i < n; i++) {
      if (!set[i]) {
        if (params[2 * i + 1] == REQUIRED) {
          throw TemplateException.type(function + "() missing required argument '" + params[2 * i] + "'");
        }
        values[i] = params[2 * i + 1];
      }
    }
    return new Args(function, values);
  }

  static final Object REQUIRED = new Object();

  Object get(int i) {
    return values[i];
  }

  boolean bool(int i) {
    return Py.truthy(values[i]);
  }

  String string(int i) {
    Object v = values[i];
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Undefined u) {
      throw u.error();
    }
    throw TemplateException.type(function + "() argument " + (i + 1) + " must be str, not " + Py.typeName(v));
  }

  long integer(int i) {
    Object v = values[i];
    if (!Py.isInt(v)) {
      throw TemplateException.type(function + "() argument " + (i + 1) + " must be int, not " + Py.typeName(v));
    }
    return Py.toLong(v);
  }
}

package dev.kansoku.text.jinja;

import java.util.HashMap;
import java.util.Map;

/**
 * A frame of variables. Jinja gives each loop iteration, macro call and with block its own frame: a set inside
 * it is not seen outside (hence namespace()), while an if block shares its parent's.
 */
final class Scope {
  private final Scope parent;
  private final Map<String, Object> vars = new HashMap<>();

  Scope(Scope parent) {
    this.parent = parent;
  }

  Object lookup(String name) {
    for (Scope s = this; s != null; s = s.parent) {
      if (s.vars.containsKey(name)) {
        return s.vars.get(name);
      }
    }
    return new Undefined("'" + name + "' is undefined");
  }

  void set(String name, Object value) {
    vars.put(name, value);
  }
}

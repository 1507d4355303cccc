package dev.kansoku.text.jinja;

import java.util.List;
import java.util.Map;

/** A value the template may call: a global, a macro, a bound method of a string, list, dict or loop. */
@FunctionalInterface
interface JinjaCallable {
  Object call(List<Object> args, Map<String, Object> kwargs);
}

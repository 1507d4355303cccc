package dev.kansoku.text.jinja;

import java.util.List;
import java.util.ArrayList;

/** The {@code loop} variable of a for loop (jinja2.runtime.LoopContext): index, first, last, cycle, changed. */
final class LoopState {
  private final List<Object> items;
  int index0;
  private Object lastChanged = new Object();

  LoopState(List<Object> items) {
    this.items = items;
  }

  Object attr(String name) {
    int n = items.size();
    return switch (name) {
      case "index" -> (long) index0 + 1;
      case "index0" -> (long) index0;
      case "revindex" -> (long) (n - index0);
      case "revindex0" -> (long) (n - index0 - 1);
      case "first" -> index0 == 0;
      case "last" -> index0 == n - 1;
      case "length" -> (long) n;
      case "depth" -> 1L;
      case "depth0" -> 0L;
      case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
      case "nextitem" -> index0 < n - 1 ? items.get(index0 + 1) : new Undefined("there is no next item");
      case "cycle" -> (JinjaCallable) (args, kw) -> {
        if (args.isEmpty()) {
          throw TemplateException.type("no items for cycling given");
        }
        return args.get(index0 % args.size());
      };
      case "changed" -> (JinjaCallable) (args, kw) -> {
        if (!(lastChanged instanceof List<?> last && Py.eq(last, args))) {
          lastChanged = new ArrayList<>(args);
          return true;
        }
        return false;
      };
      default -> new Undefined("'loop' has no attribute '" + name + "'");
    };
  }
}

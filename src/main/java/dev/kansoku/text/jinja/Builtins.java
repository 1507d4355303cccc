package dev.kansoku.text.jinja;

import dev.kansoku.text.PyStrings;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja's built-in filters and tests, transformers' {@code tojson}, and Python's attribute and item lookup
 * ({@code environment.getattr}/{@code getitem}: a dict's methods before its keys for {@code d.x}, keys before
 * methods for {@code d['x']}) under the immutable sandbox (no list or dict mutation). A Jinja filter not
 * implemented here is refused when the template is parsed, never rendered differently.
 */
final class Builtins {
  private Builtins() {}

  static final Set<String> FILTERS = Set.of("abs", "attr", "capitalize", "center", "count", "d", "default", "dictsort",
      "e", "escape", "first", "float", "forceescape", "format", "indent", "int", "items", "join", "last", "length",
      "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select",
      "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "unique", "upper", "wordcount");

  /** Jinja's other built-in filters: known names, refused at parse time rather than rendered approximately. */
  static final Set<String> UNIMPLEMENTED_FILTERS = Set.of("batch", "filesizeformat", "groupby", "pprint", "random",
      "slice", "striptags", "truncate", "urlencode", "urlize", "wordwrap", "xmlattr");

  static final Set<String> TESTS = Set.of("boolean", "callable", "defined", "divisibleby", "eq", "equalto", "==",
      "escaped", "even", "false", "filter", "float", "ge", ">=", "gt", ">", "greaterthan", "in", "integer", "iterable",
      "le", "<=", "lower", "lt", "<", "lessthan", "mapping", "ne", "!=", "none", "number", "odd", "sameas", "sequence",
      "string", "test", "true", "undefined", "upper");

  private static final Set<String> STR_ATTRS = Set.of("capitalize", "casefold", "center", "count", "encode", "endswith",
      "expandtabs", "find", "format", "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit",
      "isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower",
      "lstrip", "maketrans", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust",
      "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "translate",
      "upper", "zfill");
  private static final Set<String> DICT_ATTRS = Set.of("clear", "copy", "fromkeys", "get", "items", "keys", "pop",
      "popitem", "setdefault", "update", "values");
  private static final Set<String> DICT_UNSAFE = Set.of("clear", "pop", "popitem", "setdefault", "update");
  private static final Set<String> LIST_ATTRS = Set.of("append", "clear", "copy", "count", "extend", "index", "insert",
      "pop", "remove", "reverse", "sort");
  private static final Set<String> LIST_UNSAFE = Set.of("append", "clear", "extend", "insert", "pop", "remove",
      "reverse", "sort");

  static boolean hasFilter(String name) {
    if (UNIMPLEMENTED_FILTERS.contains(name)) {
      throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "filter '" + name + "' is not implemented for chat templates here");
    }
    return FILTERS.contains(name);
  }

  static boolean hasTest(String name) {
    return TESTS.contains(name);
  }

  // ---- attribute and item lookup

  static Object getattr(Object obj, String name) {
    if (obj instanceof Undefined u) {
      throw u.error();
    }
    if (obj instanceof Map<?, ?> m) {
      if (DICT_ATTRS.contains(name)) {
        return dictMethod(m, name);
      }
      Object k = Py.findKey(m, name);
      return k != Py.MISSING ? m.get(k) : new Undefined("'dict object' has no attribute '" + name + "'");
    }
    if (obj instanceof String s) {
      return STR_ATTRS.contains(name) ? strMethod(s, name) : new Undefined("'str object' has no attribute '" + name + "'");
    }
    if (obj instanceof List<?> l) {
      return LIST_ATTRS.contains(name) ? listMethod(l, name) : new Undefined("'list object' has no attribute '" + name + "'");
    }
    if (obj instanceof Namespace ns) {
      Object k = Py.findKey(ns.attrs, name);
      return k != Py.MISSING ? ns.attrs.get(k) : new Undefined("'Namespace' object has no attribute '" + name + "'");
    }
    if (obj instanceof LoopState loop) {
      return loop.attr(name);
    }
    return new Undefined("'" + Py.typeName(obj) + " object' has no attribute '" + name + "'");
  }

  static Object getitem(Object obj, Object key) {
    if (obj instanceof Undefined u) {
      throw u.error();
    }
    if (obj instanceof Map<?, ?> m) {
      Object k = Py.findKey(m, key);
      if (k != Py.MISSING) {
        return m.get(k);
      }
    } else if (obj instanceof List<?> l && Py.isInt(key)) {
      long i = Py.toLong(key);
      long j = i < 0 ? i + l.size() : i;
      return j >= 0 && j < l.size() ? l.get((int) j) : new Undefined("list object has no element " + i);
    } else if (obj instanceof String s && Py.isInt(key)) {
      int[] cps = Py.codePoints(s);
      long i = Py.toLong(key);
      long j = i < 0 ? i + cps.length : i;
      return j >= 0 && j < cps.length ? new String(Character.toChars(cps[(int) j])) : new Undefined("str object has no element " + i);
    } else if (obj instanceof Namespace ns) {
      Object k = Py.findKey(ns.attrs, key);
      if (k != Py.MISSING) {
        return ns.attrs.get(k);
      }
    }
    if (key instanceof String name && !(obj instanceof Map<?, ?> m && !DICT_ATTRS.contains(name))) {
      return getattr(obj, name);
    }
    return new Undefined("'" + Py.typeName(obj) + " object' has no attribute " + Py.repr(key));
  }

  static Object slice(Object obj, Object start, Object stop, Object step) {
    if (obj instanceof Undefined u) {
      throw u.error();
    }
    if (obj instanceof String s) {
      int[] cps = Py.codePoints(s);
      return Py.fromCodePoints(cps, Py.sliceIndices(cps.length, start, stop, step));
    }
    if (obj instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (int i : Py.sliceIndices(l.size(), start, stop, step)) {
        out.add(l.get(i));
      }
      return out;
    }
    throw TemplateException.type("'" + Py.typeName(obj) + "' object is not subscriptable");
  }

  private static JinjaCallable dictMethod(Map<?, ?> m, String name) {
    if (DICT_UNSAFE.contains(name)) {
      throw new TemplateException(TemplateException.Kind.SECURITY, "access to attribute '" + name + "' of 'dict' object is unsafe.");
    }
    return (args, kw) -> switch (name) {
      case "items" -> {
        List<Object> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(new PyTuple(Arrays.asList(k, v))));
        yield out;
      }
      case "keys" -> new ArrayList<Object>(m.keySet());
      case "values" -> new ArrayList<Object>(m.values());
      case "get" -> {
        Args a = Args.bind("get", args, kw, "key", Args.REQUIRED, "default", null);
        Object k = Py.findKey(m, a.get(0));
        yield k != Py.MISSING ? m.get(k) : a.get(1);
      }
      case "copy" -> new LinkedHashMap<Object, Object>(m);
      default -> throw unimplemented("dict", name);
    };
  }

  private static JinjaCallable listMethod(List<?> l, String name) {
    if (LIST_UNSAFE.contains(name)) {
      throw new TemplateException(TemplateException.Kind.SECURITY, "access to attribute '" + name + "' of 'list' object is unsafe.");
    }
    return (args, kw) -> switch (name) {
      case "count" -> {
        long n = 0;
        for (Object o : l) {
          n += Py.eq(o, args.get(0)) ? 1 : 0;
        }
        yield n;
      }
      case "index" -> {
        for (int i = 0; i < l.size(); i++) {
          if (Py.eq(l.get(i), args.get(0))) {
            yield (long) i;
          }
        }
        throw TemplateException.type(Py.repr(args.get(0)) + " is not in list");
      }
      case "copy" -> new ArrayList<Object>(l);
      default -> throw unimplemented("list", name);
    };
  }

  private static TemplateException unimplemented(String type, String name) {
    return new TemplateException(TemplateException.Kind.UNSUPPORTED, type + "." + name + "() is not implemented for chat templates here");
  }

  private static JinjaCallable strMethod(String s, String name) {
    return (args, kw) -> StringMethods.call(s, name, args, kw);
  }

  // ---- filters

  static Object filter(String name, Object value, List<Object> args, Map<String, Object> kw) {
    switch (name) {
      case "trim": {
        Args a = Args.bind("trim", args, kw, "chars", null);
        return StringMethods.call(softStr(value), "strip", a.get(0) == null ? List.of() : List.of(a.get(0)), Map.of());
      }
      case "upper":
        return softStr(value).toUpperCase(Locale.ROOT);
      case "lower":
        return softStr(value).toLowerCase(Locale.ROOT);
      case "capitalize":
        return PyStrings.capitalize(softStr(value));
      case "title":
        return title(softStr(value));
      case "string":
        return softStr(value);
      case "safe":
        return softStr(value);
      case "e", "escape", "forceescape":
        return escape(softStr(value));
      case "length", "count":
        return Py.length(value);
      case "list":
        return Py.iterate(value);
      case "first": {
        List<Object> l = Py.iterate(value);
        return l.isEmpty() ? new Undefined("No first item, sequence was empty.") : l.get(0);
      }
      case "last": {
        List<Object> l = Py.iterate(value);
        return l.isEmpty() ? new Undefined("No last item, sequence was empty.") : l.get(l.size() - 1);
      }
      case "reverse": {
        if (value instanceof String s) {
          return new StringBuilder(s).reverse().toString();
        }
        List<Object> l = Py.iterate(value);
        java.util.Collections.reverse(l);
        return l;
      }
      case "join": {
        Args a = Args.bind("join", args, kw, "d", "", "attribute", null);
        List<Object> items = Py.iterate(value);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
          Object item = a.get(1) == null ? items.get(i) : attribute(items.get(i), a.get(1));
          b.append(i > 0 ? softStr(a.get(0)) : "").append(Py.str(item));
        }
        return b.toString();
      }
      case "d", "default": {
        Args a = Args.bind("default", args, kw, "default_value", "", "boolean", false);
        return value instanceof Undefined || (a.bool(1) && !Py.truthy(value)) ? a.get(0) : value;
      }
      case "items": {
        if (value instanceof Undefined) {
          return new ArrayList<>();
        }
        if (!(value instanceof Map<?, ?> m)) {
          throw TemplateException.type("Can only get item pairs from a mapping.");
        }
        return dictMethod(m, "items").call(List.of(), Map.of());
      }
      case "dictsort": {
        Args a = Args.bind("dictsort", args, kw, "case_sensitive", false, "by", "key", "reverse", false);
        if (!(value instanceof Map<?, ?> m)) {
          throw TemplateException.type("dictsort needs a mapping");
        }
        int pos = switch (a.string(1)) {
          case "key" -> 0;
          case "value" -> 1;
          default -> throw TemplateException.type("You can only sort by either \"key\" or \"value\"");
        };
        @SuppressWarnings("unchecked")
        List<Object> pairs = (List<Object>) dictMethod(m, "items").call(List.of(), Map.of());
        boolean cs = a.bool(0);
        pairs.sort((x, y) -> Py.compare(sortKey(((List<?>) x).get(pos), cs), sortKey(((List<?>) y).get(pos), cs), "<"));
        if (a.bool(2)) {
          java.util.Collections.reverse(pairs);
        }
        return pairs;
      }
      case "sort": {
        Args a = Args.bind("sort", args, kw, "reverse", false, "case_sensitive", false, "attribute", null);
        List<Object> l = Py.iterate(value);
        Comparator<Object> c = (x, y) -> Py.compare(sortKey(attribute(x, a.get(2)), a.bool(1)), sortKey(attribute(y, a.get(2)), a.bool(1)), "<");
        l.sort(a.bool(0) ? c.reversed() : c);
        return l;
      }
      case "unique": {
        Args a = Args.bind("unique", args, kw, "case_sensitive", false, "attribute", null);
        List<Object> out = new ArrayList<>();
        List<Object> seen = new ArrayList<>();
        for (Object o : Py.iterate(value)) {
          Object k = sortKey(attribute(o, a.get(1)), a.bool(0));
          if (seen.stream().noneMatch(x -> Py.eq(x, k))) {
            seen.add(k);
            out.add(o);
          }
        }
        return out;
      }
      case "min", "max": {
        Args a = Args.bind(name, args, kw, "case_sensitive", false, "attribute", null);
        Object best = null;
        Object bestKey = null;
        for (Object o : Py.iterate(value)) {
          Object k = sortKey(attribute(o, a.get(1)), a.bool(0));
          if (bestKey == null || (name.equals("min") ? Py.compare(k, bestKey, "<") < 0 : Py.compare(k, bestKey, ">") > 0)) {
            best = o;
            bestKey = k;
          }
        }
        return bestKey == null ? new Undefined("No aggregated item, sequence was empty.") : best;
      }
      case "sum": {
        Args a = Args.bind("sum", args, kw, "attribute", null, "start", 0L);
        Object total = a.get(1);
        for (Object o : Py.iterate(value)) {
          total = Py.add(total, attribute(o, a.get(0)));
        }
        return total;
      }
      case "map":
        return map(value, args, kw);
      case "select", "reject":
        return select(value, args, name.equals("select"), false);
      case "selectattr", "rejectattr":
        return select(value, args, name.equals("selectattr"), true);
      case "replace": {
        Args a = Args.bind("replace", args, kw, "old", Args.REQUIRED, "new", Args.REQUIRED, "count", null);
        List<Object> margs = new ArrayList<>(List.of(softStr(a.get(0)), softStr(a.get(1))));
        if (a.get(2) != null) {
          margs.add(a.get(2));
        }
        return StringMethods.call(softStr(value), "replace", margs, Map.of());
      }
      case "int": {
        Args a = Args.bind("int", args, kw, "default", 0L, "base", 10L);
        return toInt(value, a.get(0), (int) a.integer(1));
      }
      case "float": {
        Args a = Args.bind("float", args, kw, "default", 0.0);
        return toFloat(value, a.get(0));
      }
      case "abs":
        if (Py.isInt(value)) {
          return Math.abs(Py.toLong(value));
        }
        if (value instanceof Double d) {
          return Math.abs(d);
        }
        throw TemplateException.type("bad operand type for abs(): '" + Py.typeName(value) + "'");
      case "round": {
        Args a = Args.bind("round", args, kw, "precision", 0L, "method", "common");
        if (!Py.isNumber(value)) {
          throw TemplateException.type("type " + Py.typeName(value) + " doesn't define __round__ method");
        }
        RoundingMode mode = switch (a.string(1)) {
          case "common" -> RoundingMode.HALF_EVEN;
          case "ceil" -> RoundingMode.CEILING;
          case "floor" -> RoundingMode.FLOOR;
          default -> throw TemplateException.type("method must be common, ceil or floor");
        };
        double d = Py.toDouble(value);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          return d;
        }
        return new BigDecimal(d).setScale((int) a.integer(0), mode).doubleValue();
      }
      case "indent": {
        Args a = Args.bind("indent", args, kw, "width", 4L, "first", false, "blank", false);
        return indent(softStr(value), a.get(0) instanceof String s ? s : " ".repeat((int) a.integer(0)), a.bool(1), a.bool(2));
      }
      case "center": {
        Args a = Args.bind("center", args, kw, "width", 80L);
        return StringMethods.call(softStr(value), "center", List.of(a.get(0)), Map.of());
      }
      case "wordcount": {
        Matcher m = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS).matcher(softStr(value));
        long n = 0;
        while (m.find()) {
          n++;
        }
        return n;
      }
      case "format":
        return Py.arithmetic("%", softStr(value), args.size() == 1 ? args.get(0) : new ArrayList<>(args));
      case "attr": {
        Args a = Args.bind("attr", args, kw, "name", Args.REQUIRED);
        return getattr(value, a.string(0));
      }
      case "tojson": {
        Args a = Args.bind("tojson", args, kw, "ensure_ascii", false, "indent", null, "separators", null, "sort_keys", false);
        String itemSep = null;
        String keySep = null;
        if (a.get(2) instanceof List<?> seps && seps.size() == 2) {
          itemSep = Py.str(seps.get(0));
          keySep = Py.str(seps.get(1));
        } else if (a.get(2) != null) {
          throw TemplateException.type("separators must be a pair of strings");
        }
        return new PyJson(a.bool(0), a.get(1), itemSep, keySep, a.bool(3)).dumps(value);
      }
      default:
        throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "filter '" + name + "' is not implemented");
    }
  }

  /** Jinja's soft_str: undefined is the empty string, everything else Python's str(). */
  static String softStr(Object v) {
    return Py.str(v);
  }

  private static Object sortKey(Object v, boolean caseSensitive) {
    return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
  }

  /** Jinja's make_attrgetter: dotted paths, integer parts as indices. */
  private static Object attribute(Object item, Object path) {
    if (path == null) {
      return item;
    }
    Object v = item;
    for (String part : Py.str(path).split("\\.")) {
      v = part.matches("\\d+") ? getitem(v, Long.parseLong(part)) : getitem(v, part);
    }
    return v;
  }

  private static Object map(Object value, List<Object> args, Map<String, Object> kw) {
    List<Object> out = new ArrayList<>();
    if (args.isEmpty() && kw.containsKey("attribute")) {
      Object def = kw.getOrDefault("default", MISSING_DEFAULT);
      for (Object o : Py.iterate(value)) {
        Object v = attribute(o, kw.get("attribute"));
        out.add(v instanceof Undefined && def != MISSING_DEFAULT ? def : v);
      }
      return out;
    }
    if (args.isEmpty()) {
      throw TemplateException.type("map requires a filter argument");
    }
    String filter = Py.str(args.get(0));
    if (!FILTERS.contains(filter)) {
      throw TemplateException.type("No filter named '" + filter + "'.");
    }
    for (Object o : Py.iterate(value)) {
      out.add(filter(filter, o, args.subList(1, args.size()), kw));
    }
    return out;
  }

  private static final Object MISSING_DEFAULT = new Object();

  private static Object select(Object value, List<Object> args, boolean keep, boolean byAttribute) {
    List<Object> out = new ArrayList<>();
    int off = byAttribute ? 1 : 0;
    if (byAttribute && args.isEmpty()) {
      throw TemplateException.type("Missing parameter for attribute name");
    }
    for (Object o : Py.iterate(value)) {
      Object subject = byAttribute ? attribute(o, args.get(0)) : o;
      boolean pass;
      if (args.size() <= off) {
        pass = Py.truthy(subject);
      } else {
        String test = Py.str(args.get(off));
        if (!TESTS.contains(test)) {
          throw TemplateException.type("No test named '" + test + "'.");
        }
        pass = test(test, subject, args.subList(off + 1, args.size()));
      }
      if (pass == keep) {
        out.add(o);
      }
    }
    return out;
  }

  private static Object toInt(Object v, Object def, int base) {
    try {
      if (v instanceof String s) {
        String t = PyStrings.strip(s).replace("_", "");
        if (base == 10) {
          try {
            return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
          } catch (NumberFormatException e) {
            double d = Double.parseDouble(t);
            return (long) d;
          }
        }
        String digits = t.toLowerCase(Locale.ROOT);
        String sign = digits.startsWith("-") ? "-" : "";
        digits = digits.replaceFirst("^[-+]", "");
        String prefix = base == 16 ? "0x" : base == 8 ? "0o" : base == 2 ? "0b" : null;
        if (prefix != null && digits.startsWith(prefix)) {
          digits = digits.substring(2);
        }
        return Long.parseLong(sign + digits, base);
      }
      if (Py.isInt(v)) {
        return Py.toLong(v);
      }
      if (v instanceof Double d && !d.isNaN() && !d.isInfinite()) {
        return (long) (double) d;
      }
    } catch (NumberFormatException e) {
      return def;
    }
    return def;
  }

  private static Object toFloat(Object v, Object def) {
    if (v instanceof String s) {
      try {
        return Double.parseDouble(PyStrings.strip(s));
      } catch (NumberFormatException e) {
        return def;
      }
    }
    return Py.isNumber(v) ? Py.toDouble(v) : def;
  }

  private static String title(String s) {
    StringBuilder b = new StringBuilder();
    Matcher m = Pattern.compile("([-\\s({\\[<]+)", Pattern.UNICODE_CHARACTER_CLASS).matcher(s);
    int last = 0;
    List<String> items = new ArrayList<>();
    while (m.find()) {
      items.add(s.substring(last, m.start()));
      items.add(m.group());
      last = m.end();
    }
    items.add(s.substring(last));
    for (String item : items) {
      if (!item.isEmpty()) {
        int first = item.codePointAt(0);
        b.append(new String(Character.toChars(first)).toUpperCase(Locale.ROOT))
            .append(item.substring(Character.charCount(first)).toLowerCase(Locale.ROOT));
      }
    }
    return b.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;").replace("'", "&#39;");
  }

  private static String indent(String s, String indention, boolean first, boolean blank) {
    List<String> lines = StringMethods.splitlines(s + "\n");
    String rv;
    if (blank) {
      rv = String.join("\n" + indention, lines);
    } else {
      StringBuilder b = new StringBuilder(lines.get(0));
      for (int i = 1; i < lines.size(); i++) {
        b.append('\n').append(lines.get(i).isEmpty() ? "" : indention + lines.get(i));
      }
      rv = b.toString();
    }
    return first ? indention + rv : rv;
  }

  // ---- tests

  static boolean test(String name, Object v, List<Object> args) {
    Object arg = args.isEmpty() ? null : args.get(0);
    return switch (name) {
      case "defined" -> !(v instanceof Undefined);
      case "undefined" -> v instanceof Undefined;
      case "none" -> v == null;
      case "boolean" -> v instanceof Boolean;
      case "true" -> Boolean.TRUE.equals(v);
      case "false" -> Boolean.FALSE.equals(v);
      case "integer" -> v instanceof Long;
      case "float" -> v instanceof Double;
      case "number" -> Py.isNumber(v);
      case "string" -> v instanceof String;
      case "mapping" -> v instanceof Map<?, ?>;
      case "iterable" -> Py.iterable(v);
      case "sequence" -> v instanceof String || v instanceof List<?> || v instanceof Map<?, ?>;
      case "callable" -> v instanceof JinjaCallable;
      case "sameas" -> v == arg || (v == null && arg == null) || (v instanceof Boolean && v.equals(arg));
      case "escaped" -> false;
      case "in" -> Py.contains(arg, v);
      case "eq", "equalto", "==" -> Py.eq(v, arg);
      case "ne", "!=" -> !Py.eq(v, arg);
      case "lt", "<", "lessthan" -> Py.compare(v, arg, "<") < 0;
      case "le", "<=" -> Py.compare(v, arg, "<=") <= 0;
      case "gt", ">", "greaterthan" -> Py.compare(v, arg, ">") > 0;
      case "ge", ">=" -> Py.compare(v, arg, ">=") >= 0;
      case "odd" -> Py.toLong(v) % 2 != 0;
      case "even" -> Py.toLong(v) % 2 == 0;
      case "divisibleby" -> Py.toLong(v) % Py.toLong(arg) == 0;
      case "lower" -> Py.str(v).equals(Py.str(v).toLowerCase(Locale.ROOT));
      case "upper" -> Py.str(v).equals(Py.str(v).toUpperCase(Locale.ROOT));
      case "filter" -> FILTERS.contains(Py.str(v));
      case "test" -> TESTS.contains(Py.str(v));
      default -> throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "test '" + name + "' is not implemented");
    };
  }

  // ---- printf-style formatting ('%s' % x), as Python's str.__mod__ for %s %r %d %i %f %%

  static String percentFormat(String fmt, Object args) {
    List<Object> values = args instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>(java.util.Collections.singletonList(args));
    StringBuilder b = new StringBuilder();
    int next = 0;
    Matcher m = Pattern.compile("%(\\.(\\d+))?([sdirf%])").matcher(fmt);
    int last = 0;
    while (m.find()) {
      b.append(fmt, last, m.start());
      last = m.end();
      char c = m.group(3).charAt(0);
      if (c == '%') {
        b.append('%');
        continue;
      }
      if (next >= values.size()) {
        throw TemplateException.type("not enough arguments for format string");
      }
      Object v = values.get(next++);
      switch (c) {
        case 's' -> b.append(Py.str(v));
        case 'r' -> b.append(Py.repr(v));
        case 'd', 'i' -> b.append(Py.isNumber(v) ? Long.toString(v instanceof Double d ? (long) (double) d : Py.toLong(v)) : fail(v));
        default -> b.append(new BigDecimal(Py.toDouble(v)).setScale(m.group(2) == null ? 6 : Integer.parseInt(m.group(2)), RoundingMode.HALF_EVEN).toPlainString());
      }
    }
    if (fmt.indexOf('%', last) >= 0) {
      throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "printf-style format '" + fmt + "' is not implemented");
    }
    b.append(fmt.substring(last));
    if (next < values.size()) {
      throw TemplateException.type("not all arguments converted during string formatting");
    }
    return b.toString();
  }

  private static String fail(Object v) {
    throw TemplateException.type("%d format: a real number is required, not " + Py.typeName(v));
  }
}

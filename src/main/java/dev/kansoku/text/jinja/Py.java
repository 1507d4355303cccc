package dev.kansoku.text.jinja;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python 3's value semantics for the template's values: {@code str}/{@code repr}, truthiness, equality across
 * int/float/bool, ordering, arithmetic, containment, iteration and length. Values are String, Long (Python int),
 * Double (float), Boolean, null (None), List, Map (insertion-ordered dict), {@link Undefined}, {@link Namespace},
 * {@link LoopState} and {@link JinjaCallable}. Strings are indexed by code point, as Python does.
 */
final class Py {
  private Py() {}

  static boolean truthy(Object v) {
    if (v == null || v instanceof Undefined) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Long l) {
      return l != 0;
    }
    if (v instanceof Double d) {
      return d != 0.0;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  static String typeName(Object v) {
    if (v == null) {
      return "NoneType";
    }
    if (v instanceof String) {
      return "str";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Long) {
      return "int";
    }
    if (v instanceof Double) {
      return "float";
    }
    if (v instanceof PyTuple) {
      return "tuple";
    }
    if (v instanceof List<?>) {
      return "list";
    }
    if (v instanceof Map<?, ?>) {
      return "dict";
    }
    if (v instanceof Undefined) {
      return "Undefined";
    }
    if (v instanceof Namespace) {
      return "Namespace";
    }
    if (v instanceof LoopState) {
      return "LoopContext";
    }
    return "function";
  }

  /** Python's {@code str(v)}; undefined prints as nothing. */
  static String str(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Undefined) {
      return "";
    }
    return repr(v);
  }

  static String repr(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof Long l) {
      return l.toString();
    }
    if (v instanceof Double d) {
      return floatRepr(d);
    }
    if (v instanceof String s) {
      return stringRepr(s);
    }
    if (v instanceof PyTuple t) {
      StringBuilder b = new StringBuilder("(");
      for (int i = 0; i < t.size(); i++) {
        b.append(i > 0 ? ", " : "").append(repr(t.get(i)));
      }
      return b.append(t.size() == 1 ? ",)" : ")").toString();
    }
    if (v instanceof List<?> l) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < l.size(); i++) {
        b.append(i > 0 ? ", " : "").append(repr(l.get(i)));
      }
      return b.append(']').toString();
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("{");
      boolean first = true;
      for (var e : m.entrySet()) {
        b.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
        first = false;
      }
      return b.append('}').toString();
    }
    if (v instanceof Undefined) {
      return "Undefined";
    }
    if (v instanceof Namespace n) {
      return "<Namespace " + repr(n.attrs) + ">";
    }
    return "<" + typeName(v) + ">";
  }

  /** Python's repr of a float: the shortest digits that round-trip, exponent form outside 1e-4 ≤ |x| < 1e16. */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(d);
    BigDecimal shortest = exact;
    for (int p = 1; p <= 17; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == d) {
        shortest = r;
        break;
      }
    }
    String digits = shortest.unscaledValue().abs().toString().replaceAll("0+$", "");
    if (digits.isEmpty()) {
      digits = "0";
    }
    int decpt = shortest.precision() - shortest.scale();
    String sign = d < 0 ? "-" : "";
    if (decpt > 16 || decpt < -3) {
      String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      int exp = decpt - 1;
      return sign + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    if (decpt <= 0) {
      return sign + "0." + "0".repeat(-decpt) + digits;
    }
    if (digits.length() <= decpt) {
      return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
    }
    return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
  }

  static String stringRepr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder b = new StringBuilder().append(quote);
    s.codePoints().forEach(cp -> {
      if (cp == quote || cp == '\\') {
        b.append('\\').appendCodePoint(cp);
      } else if (cp == '\n') {
        b.append("\\n");
      } else if (cp == '\r') {
        b.append("\\r");
      } else if (cp == '\t') {
        b.append("\\t");
      } else if (!printable(cp)) {
        b.append(cp < 0x100 ? String.format("\\x%02x", cp) : cp < 0x10000 ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return b.append(quote).toString();
  }

  private static boolean printable(int cp) {
    if (cp == ' ') {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
          Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
      default -> true;
    };
  }

  static boolean isNumber(Object v) {
    return v instanceof Long || v instanceof Double || v instanceof Boolean;
  }

  static boolean isInt(Object v) {
    return v instanceof Long || v instanceof Boolean;
  }

  static long toLong(Object v) {
    return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
  }

  static double toDouble(Object v) {
    return v instanceof Double d ? d : toLong(v);
  }

  static boolean eq(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (isNumber(a) && isNumber(b)) {
      return isInt(a) && isInt(b) ? toLong(a) == toLong(b) : toDouble(a) == toDouble(b);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size() || (a instanceof PyTuple) != (b instanceof PyTuple)) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (var e : x.entrySet()) {
        Object k = findKey(y, e.getKey());
        if (k == MISSING || !eq(e.getValue(), y.get(k))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Namespace || a instanceof LoopState || a instanceof JinjaCallable) {
      return a == b;
    }
    return a.equals(b);
  }

  static final Object MISSING = new Object();

  /** The stored key equal to {@code key} in Python's sense (1 == 1.0 == True), or MISSING. */
  static Object findKey(Map<?, ?> m, Object key) {
    if (key != null && m.containsKey(key)) {
      return key;
    }
    for (Object k : m.keySet()) {
      if (eq(k, key)) {
        return k;
      }
    }
    return MISSING;
  }

  static int compare(Object a, Object b, String op) {
    if (isNumber(a) && isNumber(b)) {
      return isInt(a) && isInt(b) ? Long.compare(toLong(a), toLong(b)) : Double.compare(toDouble(a), toDouble(b));
    }
    if (a instanceof String x && b instanceof String y) {
      return compareCodePoints(x, y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return compare(x.get(i), y.get(i), op);
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    if (a instanceof Undefined u) {
      throw u.error();
    }
    if (b instanceof Undefined u) {
      throw u.error();
    }
    throw TemplateException.type("'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
  }

  static int compareCodePoints(String x, String y) {
    int i = 0;
    int j = 0;
    while (i < x.length() && j < y.length()) {
      int a = x.codePointAt(i);
      int b = y.codePointAt(j);
      if (a != b) {
        return Integer.compare(a, b);
      }
      i += Character.charCount(a);
      j += Character.charCount(b);
    }
    return Integer.compare(x.length() - i, y.length() - j);
  }

  static boolean contains(Object container, Object item) {
    if (container instanceof String s) {
      if (item instanceof String t) {
        return s.contains(t);
      }
      if (item instanceof Undefined u) {
        throw u.error();
      }
      throw TemplateException.type("'in <string>' requires string as left operand, not " + typeName(item));
    }
    if (container instanceof Map<?, ?> m) {
      return findKey(m, item) != MISSING;
    }
    if (container instanceof Namespace) {
      throw TemplateException.type("argument of type 'Namespace' is not iterable");
    }
    for (Object o : iterate(container)) {
      if (eq(o, item)) {
        return true;
      }
    }
    return false;
  }

  /** Python's iteration: a dict yields its keys, a string its characters, undefined nothing. */
  static List<Object> iterate(Object v) {
    if (v instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (v instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet());
    }
    if (v instanceof String s) {
      List<Object> out = new ArrayList<>();
      s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
      return out;
    }
    if (v instanceof Undefined) {
      return new ArrayList<>();
    }
    throw TemplateException.type("'" + typeName(v) + "' object is not iterable");
  }

  static boolean iterable(Object v) {
    return v instanceof List<?> || v instanceof Map<?, ?> || v instanceof String || v instanceof Undefined;
  }

  static long length(Object v) {
    if (v instanceof String s) {
      return s.codePointCount(0, s.length());
    }
    if (v instanceof List<?> l) {
      return l.size();
    }
    if (v instanceof Map<?, ?> m) {
      return m.size();
    }
    if (v instanceof Undefined) {
      return 0;
    }
    throw TemplateException.type("object of type '" + typeName(v) + "' has no len()");
  }

  static Object add(Object a, Object b) {
    undefinedCheck(a, b);
    if (isNumber(a) && isNumber(b)) {
      return isInt(a) && isInt(b) ? (Object) Math.addExact(toLong(a), toLong(b)) : (Object) (toDouble(a) + toDouble(b));
    }
    if (a instanceof String x && b instanceof String y) {
      return x + y;
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      List<Object> out = new ArrayList<>(x);
      out.addAll(y);
      return out;
    }
    if (a instanceof String) {
      throw TemplateException.type("can only concatenate str (not \"" + typeName(b) + "\") to str");
    }
    if (a instanceof List<?>) {
      throw TemplateException.type("can only concatenate list (not \"" + typeName(b) + "\") to list");
    }
    throw unsupported("+", a, b);
  }

  static Object arithmetic(String op, Object a, Object b) {
    if (op.equals("+")) {
      return add(a, b);
    }
    undefinedCheck(a, b);
    if (op.equals("*")) {
      if (a instanceof String s && isInt(b)) {
        return s.repeat((int) Math.max(0, toLong(b)));
      }
      if (isInt(a) && b instanceof String s) {
        return s.repeat((int) Math.max(0, toLong(a)));
      }
      if (a instanceof List<?> l && isInt(b)) {
        List<Object> out = new ArrayList<>();
        for (long k = 0; k < toLong(b); k++) {
          out.addAll(l);
        }
        return out;
      }
    }
    if (op.equals("%") && a instanceof String s) {
      return Builtins.percentFormat(s, b);
    }
    if (!isNumber(a) || !isNumber(b)) {
      throw unsupported(op, a, b);
    }
    boolean ints = isInt(a) && isInt(b);
    switch (op) {
      case "-":
        return ints ? (Object) Math.subtractExact(toLong(a), toLong(b)) : (Object) (toDouble(a) - toDouble(b));
      case "*":
        return ints ? (Object) Math.multiplyExact(toLong(a), toLong(b)) : (Object) (toDouble(a) * toDouble(b));
      case "/":
        zeroCheck(b, "division by zero");
        return toDouble(a) / toDouble(b);
      case "//":
        zeroCheck(b, "integer division or modulo by zero");
        return ints ? (Object) Math.floorDiv(toLong(a), toLong(b)) : (Object) Math.floor(toDouble(a) / toDouble(b));
      case "%":
        zeroCheck(b, "integer modulo by zero");
        if (ints) {
          return Math.floorMod(toLong(a), toLong(b));
        }
        double x = toDouble(a);
        double y = toDouble(b);
        double m = x % y;
        return m != 0 && (m < 0) != (y < 0) ? (Object) (m + y) : (Object) m;
      case "**":
        if (ints && toLong(b) >= 0) {
          long r = 1;
          for (long k = 0; k < toLong(b); k++) {
            r = Math.multiplyExact(r, toLong(a));
          }
          return r;
        }
        return Math.pow(toDouble(a), toDouble(b));
      default:
        throw unsupported(op, a, b);
    }
  }

  private static void zeroCheck(Object b, String message) {
    if (toDouble(b) == 0) {
      throw TemplateException.type("ZeroDivisionError: " + message);
    }
  }

  private static void undefinedCheck(Object a, Object b) {
    if (a instanceof Undefined u) {
      throw u.error();
    }
    if (b instanceof Undefined u) {
      throw u.error();
    }
  }

  private static TemplateException unsupported(String op, Object a, Object b) {
    return TemplateException.type("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
  }

  static Object negate(Object v) {
    if (v instanceof Undefined u) {
      throw u.error();
    }
    if (isInt(v)) {
      return Math.negateExact(toLong(v));
    }
    if (v instanceof Double d) {
      return -d;
    }
    throw TemplateException.type("bad operand type for unary -: '" + typeName(v) + "'");
  }

  /** Code points of a string, for Python indexing and slicing. */
  static int[] codePoints(String s) {
    return s.codePoints().toArray();
  }

  static String fromCodePoints(int[] cps, List<Integer> indices) {
    StringBuilder b = new StringBuilder();
    for (int i : indices) {
      b.appendCodePoint(cps[i]);
    }
    return b.toString();
  }

  /** Python's slice indices for a sequence of length n. */
  static List<Integer> sliceIndices(int n, Object start, Object stop, Object step) {
    long st = step == null ? 1 : toLong(step);
    if (st == 0) {
      throw TemplateException.type("slice step cannot be zero");
    }
    long lo;
    long hi;
    if (st > 0) {
      lo = start == null ? 0 : clamp(toLong(start), n, 0, n);
      hi = stop == null ? n : clamp(toLong(stop), n, 0, n);
    } else {
      lo = start == null ? n - 1 : clamp(toLong(start), n, -1, n - 1);
      hi = stop == null ? -1 : clamp(toLong(stop), n, -1, n - 1);
    }
    List<Integer> out = new ArrayList<>();
    for (long k = lo; st > 0 ? k < hi : k > hi; k += st) {
      out.add((int) k);
    }
    return out;
  }

  private static long clamp(long index, int n, long min, long max) {
    long k = index < 0 ? index + n : index;
    return Math.max(min, Math.min(max, k));
  }
}

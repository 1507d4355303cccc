package dev.kansoku.text.jinja;

import dev.kansoku.text.PyStrings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python's str methods that templates call ({@code content.split('</think>')[-1].lstrip('\n')} and the like). */
final class StringMethods {
  private StringMethods() {}

  static Object call(String s, String name, List<Object> args, Map<String, Object> kw) {
    switch (name) {
      case "strip", "lstrip", "rstrip": {
        Args a = Args.bind(name, args, kw, "chars", null);
        return strip(s, a.get(0) == null ? null : a.string(0), !name.equals("rstrip"), !name.equals("lstrip"));
      }
      case "split", "rsplit": {
        Args a = Args.bind(name, args, kw, "sep", null, "maxsplit", -1L);
        return split(s, a.get(0) == null ? null : a.string(0), (int) a.integer(1), name.equals("rsplit"));
      }
      case "splitlines": {
        Args a = Args.bind(name, args, kw, "keepends", false);
        if (a.bool(0)) {
          throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "str.splitlines(keepends=True) is not implemented");
        }
        return new ArrayList<Object>(splitlines(s));
      }
      case "startswith", "endswith": {
        Args a = Args.bind(name, args, kw, "prefix", Args.REQUIRED, "start", null, "end", null);
        String sub = a.get(1) == null && a.get(2) == null ? s : (String) Builtins.slice(s, a.get(1), a.get(2), null);
        List<Object> options = a.get(0) instanceof List<?> l ? new ArrayList<>(l) : List.of(a.string(0));
        for (Object o : options) {
          String p = Py.str(o);
          if (name.equals("startswith") ? sub.startsWith(p) : sub.endsWith(p)) {
            return true;
          }
        }
        return false;
      }
      case "upper":
        return s.toUpperCase(Locale.ROOT);
      case "lower":
        return s.toLowerCase(Locale.ROOT);
      case "capitalize":
        return PyStrings.capitalize(s);
      case "title":
        return title(s);
      case "replace": {
        Args a = Args.bind(name, args, kw, "old", Args.REQUIRED, "new", Args.REQUIRED, "count", -1L);
        return replace(s, a.string(0), a.string(1), a.integer(2));
      }
      case "find", "rfind", "index", "rindex", "count": {
        Args a = Args.bind(name, args, kw, "sub", Args.REQUIRED, "start", null, "end", null);
        if (a.get(1) != null || a.get(2) != null) {
          throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "str." + name + "() with start/end is not implemented");
        }
        String sub = a.string(0);
        if (name.equals("count")) {
          if (sub.isEmpty()) {
            return Py.length(s) + 1;
          }
          long n = 0;
          for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
          }
          return n;
        }
        int i = name.startsWith("r") ? s.lastIndexOf(sub) : s.indexOf(sub);
        if (i < 0 && name.contains("index")) {
          throw TemplateException.type("substring not found");
        }
        return i < 0 ? -1L : (long) s.codePointCount(0, i);
      }
      case "join": {
        Args a = Args.bind(name, args, kw, "iterable", Args.REQUIRED);
        StringBuilder b = new StringBuilder();
        List<Object> items = Py.iterate(a.get(0));
        for (int i = 0; i < items.size(); i++) {
          if (!(items.get(i) instanceof String item)) {
            throw TemplateException.type("sequence item " + i + ": expected str instance, " + Py.typeName(items.get(i)) + " found");
          }
          b.append(i > 0 ? s : "").append(item);
        }
        return b.toString();
      }
      case "removeprefix": {
        String p = Args.bind(name, args, kw, "prefix", Args.REQUIRED).string(0);
        return s.startsWith(p) ? s.substring(p.length()) : s;
      }
      case "removesuffix": {
        String p = Args.bind(name, args, kw, "suffix", Args.REQUIRED).string(0);
        return s.endsWith(p) && !p.isEmpty() ? s.substring(0, s.length() - p.length()) : s;
      }
      case "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper", "isnumeric", "isdecimal": {
        Args.bind(name, args, kw);
        return predicate(s, name);
      }
      case "center", "ljust", "rjust": {
        Args a = Args.bind(name, args, kw, "width", Args.REQUIRED, "fillchar", " ");
        int width = (int) a.integer(0);
        int len = (int) Py.length(s);
        if (width <= len) {
          return s;
        }
        String fill = a.string(1);
        int pad = width - len;
        int left = switch (name) {
          case "ljust" -> 0;
          case "rjust" -> pad;
          default -> pad / 2 + (pad & width & 1);
        };
        return fill.repeat(left) + s + fill.repeat(pad - left);
      }
      case "zfill": {
        int width = (int) Args.bind(name, args, kw, "width", Args.REQUIRED).integer(0);
        int len = (int) Py.length(s);
        if (width <= len) {
          return s;
        }
        boolean signed = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+');
        return signed ? s.charAt(0) + "0".repeat(width - len) + s.substring(1) : "0".repeat(width - len) + s;
      }
      case "format":
        return format(s, args, kw);
      default:
        throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "str." + name + "() is not implemented for chat templates here");
    }
  }

  static String strip(String s, String chars, boolean left, boolean right) {
    int[] cps = Py.codePoints(s);
    int start = 0;
    int end = cps.length;
    while (left && start < end && stripped(cps[start], chars)) {
      start++;
    }
    while (right && end > start && stripped(cps[end - 1], chars)) {
      end--;
    }
    return new String(cps, start, end - start);
  }

  private static boolean stripped(int cp, String chars) {
    return chars == null ? PyStrings.isSpace(cp) : chars.codePoints().anyMatch(c -> c == cp);
  }

  static List<Object> split(String s, String sep, int maxsplit, boolean fromRight) {
    List<Object> out = new ArrayList<>();
    if (sep == null) {
      List<int[]> words = new ArrayList<>();
      int[] cps = Py.codePoints(s);
      int i = 0;
      while (i < cps.length) {
        while (i < cps.length && PyStrings.isSpace(cps[i])) {
          i++;
        }
        int st = i;
        while (i < cps.length && !PyStrings.isSpace(cps[i])) {
          i++;
        }
        if (i > st) {
          words.add(new int[] {st, i});
        }
      }
      if (maxsplit < 0 || words.size() <= maxsplit + 1) {
        words.forEach(w -> out.add(new String(cps, w[0], w[1] - w[0])));
        return out;
      }
      if (!fromRight) {
        for (int k = 0; k < maxsplit; k++) {
          out.add(new String(cps, words.get(k)[0], words.get(k)[1] - words.get(k)[0]));
        }
        int restStart = words.get(maxsplit)[0];
        out.add(strip(new String(cps, restStart, cps.length - restStart), null, false, true));
      } else {
        int cut = words.size() - maxsplit;
        int restEnd = words.get(cut - 1)[1];
        out.add(strip(new String(cps, 0, restEnd), null, true, false));
        for (int k = cut; k < words.size(); k++) {
          out.add(new String(cps, words.get(k)[0], words.get(k)[1] - words.get(k)[0]));
        }
      }
      return out;
    }
    if (sep.isEmpty()) {
      throw TemplateException.type("empty separator");
    }
    List<String> parts = new ArrayList<>();
    int from = 0;
    for (int i = s.indexOf(sep); i >= 0; i = s.indexOf(sep, from)) {
      parts.add(s.substring(from, i));
      from = i + sep.length();
    }
    parts.add(s.substring(from));
    if (maxsplit < 0 || parts.size() <= maxsplit + 1) {
      out.addAll(parts);
      return out;
    }
    if (!fromRight) {
      out.addAll(parts.subList(0, maxsplit));
      out.add(String.join(sep, parts.subList(maxsplit, parts.size())));
    } else {
      int cut = parts.size() - maxsplit;
      out.add(String.join(sep, parts.subList(0, cut)));
      out.addAll(parts.subList(cut, parts.size()));
    }
    return out;
  }

  /** Python's str.splitlines() without keepends: every line boundary Python knows. */
  static List<String> splitlines(String s) {
    List<String> out = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      boolean boundary = c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e
          || c == 0x85 || c == 0x2028 || c == 0x2029;
      if (boundary) {
        out.add(s.substring(start, i));
        i += (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') ? 2 : 1;
        start = i;
      } else {
        i++;
      }
    }
    if (start < s.length()) {
      out.add(s.substring(start));
    }
    return out;
  }

  private static String replace(String s, String old, String repl, long count) {
    if (count < 0) {
      if (old.isEmpty()) {
        StringBuilder b = new StringBuilder(repl);
        s.codePoints().forEach(cp -> b.appendCodePoint(cp).append(repl));
        return b.toString();
      }
      return s.replace(old, repl);
    }
    StringBuilder b = new StringBuilder();
    int from = 0;
    long n = 0;
    if (old.isEmpty()) {
      throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "str.replace('', x, count) is not implemented");
    }
    for (int i = s.indexOf(old); i >= 0 && n < count; i = s.indexOf(old, from), n++) {
      b.append(s, from, i).append(repl);
      from = i + old.length();
    }
    return b.append(s.substring(from)).toString();
  }

  private static String title(String s) {
    StringBuilder b = new StringBuilder();
    boolean prevCased = false;
    for (int cp : Py.codePoints(s)) {
      boolean cased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
      String c = new String(Character.toChars(cp));
      b.append(cased ? (prevCased ? c.toLowerCase(Locale.ROOT) : c.toUpperCase(Locale.ROOT)) : c);
      prevCased = cased;
    }
    return b.toString();
  }

  private static boolean predicate(String s, String name) {
    if (s.isEmpty()) {
      return false;
    }
    int[] cps = Py.codePoints(s);
    switch (name) {
      case "islower", "isupper": {
        boolean anyCased = false;
        for (int cp : cps) {
          if (Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
            if (name.equals("islower")) {
              return false;
            }
            anyCased = true;
          } else if (Character.isLowerCase(cp)) {
            if (name.equals("isupper")) {
              return false;
            }
            anyCased = true;
          }
        }
        return anyCased;
      }
      default:
        for (int cp : cps) {
          boolean ok = switch (name) {
            case "isdigit", "isdecimal", "isnumeric" -> Character.isDigit(cp);
            case "isalpha" -> Character.isLetter(cp);
            case "isalnum" -> Character.isLetterOrDigit(cp);
            default -> PyStrings.isSpace(cp);
          };
          if (!ok) {
            return false;
          }
        }
        return true;
    }
  }

  /** str.format with {}, {0} and {name} fields; format specs and conversions are refused. */
  private static String format(String s, List<Object> args, Map<String, Object> kw) {
    StringBuilder b = new StringBuilder();
    int auto = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
        b.append('{');
        i++;
      } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
        b.append('}');
        i++;
      } else if (c == '{') {
        int end = s.indexOf('}', i);
        if (end < 0) {
          throw TemplateException.type("Single '{' encountered in format string");
        }
        String field = s.substring(i + 1, end);
        if (field.contains(":") || field.contains("!") || field.contains(".") || field.contains("[")) {
          throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "str.format field '{" + field + "}' is not implemented");
        }
        Object v;
        if (field.isEmpty()) {
          v = args.get(auto++);
        } else if (field.chars().allMatch(Character::isDigit)) {
          v = args.get(Integer.parseInt(field));
        } else if (kw.containsKey(field)) {
          v = kw.get(field);
        } else {
          throw TemplateException.type("KeyError: '" + field + "'");
        }
        b.append(Py.str(v));
        i = end;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}

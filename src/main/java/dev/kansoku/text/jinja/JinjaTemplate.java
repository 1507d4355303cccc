package dev.kansoku.text.jinja;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Jinja template rendered as transformers renders chat templates: Jinja 3.1 under
 * {@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, loopcontrols])}
 * with transformers' globals ({@code raise_exception}, {@code strftime_now}) and {@code tojson} filter, plus Jinja's
 * own globals ({@code namespace}, {@code range}, {@code dict}). Parsed once; rendering is thread-safe.
 *
 * <p>Values passed in may be String, Number, Boolean, null, List and Map (JSON's shapes).
 */
public final class JinjaTemplate {
  private final List<Node.Stmt> body;

  private JinjaTemplate(List<Node.Stmt> body) {
    this.body = body;
  }

  /** @throws TemplateException naming the problem and the template line */
  public static JinjaTemplate parse(String source) {
    return new JinjaTemplate(Parser.parse(source));
  }

  public String render(Map<String, ?> variables) {
    return render(variables, Clock.systemDefaultZone());
  }

  /** @param clock what {@code strftime_now} reads (transformers uses the local time) */
  public String render(Map<String, ?> variables, Clock clock) {
    Scope globals = new Scope(null);
    globals.set("raise_exception", (JinjaCallable) (args, kw) -> {
      throw new TemplateException(TemplateException.Kind.RAISED, args.isEmpty() ? "" : Py.str(args.get(0)));
    });
    globals.set("strftime_now", (JinjaCallable) (args, kw) -> strftime(Args.bind("strftime_now", args, kw, "format", Args.REQUIRED).string(0), ZonedDateTime.now(clock)));
    globals.set("namespace", (JinjaCallable) (args, kw) -> {
      Namespace ns = new Namespace();
      for (Object a : args) {
        if (!(a instanceof Map<?, ?> m)) {
          throw TemplateException.type("namespace() takes mappings or keyword arguments");
        }
        ns.attrs.putAll(m);
      }
      ns.attrs.putAll(kw);
      return ns;
    });
    globals.set("range", (JinjaCallable) (args, kw) -> range(args));
    globals.set("dict", (JinjaCallable) (args, kw) -> new LinkedHashMap<Object, Object>(kw));
    Scope top = new Scope(globals);
    variables.forEach((k, v) -> top.set(k, toValue(v)));
    StringBuilder out = new StringBuilder();
    new Renderer().exec(body, top, out);
    return out.toString();
  }

  /** Normalises Java values to the interpreter's: Integer/Short/Float to Long/Double, nested lists and maps copied. */
  static Object toValue(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return (double) f;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(toValue(o));
      }
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(toValue(k), toValue(x)));
      return out;
    }
    return v;
  }

  private static List<Object> range(List<Object> args) {
    long start = 0;
    long stop;
    long step = 1;
    if (args.size() == 1) {
      stop = Py.toLong(args.get(0));
    } else if (args.size() == 2 || args.size() == 3) {
      start = Py.toLong(args.get(0));
      stop = Py.toLong(args.get(1));
      step = args.size() == 3 ? Py.toLong(args.get(2)) : 1;
    } else {
      throw TemplateException.type("range expected 1 to 3 arguments, got " + args.size());
    }
    if (step == 0) {
      throw TemplateException.type("range() arg 3 must not be zero");
    }
    List<Object> out = new ArrayList<>();
    for (long k = start; step > 0 ? k < stop : k > stop; k += step) {
      if (out.size() >= 100_000) {
        throw new TemplateException(TemplateException.Kind.SECURITY, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
      }
      out.add(k);
    }
    return out;
  }

  /** Python's strftime for the C locale's directives that date lines in templates use. */
  static String strftime(String format, ZonedDateTime t) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 == format.length()) {
        b.append(c);
        continue;
      }
      char d = format.charAt(++i);
      switch (d) {
        case 'd' -> b.append(String.format("%02d", t.getDayOfMonth()));
        case 'm' -> b.append(String.format("%02d", t.getMonthValue()));
        case 'Y' -> b.append(t.getYear());
        case 'y' -> b.append(String.format("%02d", t.getYear() % 100));
        case 'H' -> b.append(String.format("%02d", t.getHour()));
        case 'I' -> b.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
        case 'M' -> b.append(String.format("%02d", t.getMinute()));
        case 'S' -> b.append(String.format("%02d", t.getSecond()));
        case 'p' -> b.append(t.getHour() < 12 ? "AM" : "PM");
        case 'j' -> b.append(String.format("%03d", t.getDayOfYear()));
        case 'b' -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'B' -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'a' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'A' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case '%' -> b.append('%');
        default -> throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "strftime directive %" + d + " is not implemented");
      }
    }
    return b.toString();
  }
}

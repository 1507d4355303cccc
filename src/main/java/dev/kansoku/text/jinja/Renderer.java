package dev.kansoku.text.jinja;

import dev.kansoku.text.jinja.Node.Expr;
import dev.kansoku.text.jinja.Node.Stmt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Executes a parsed template: statements write to a buffer, expressions evaluate with {@link Py}'s semantics. */
final class Renderer {
  private static final class LoopSignal extends RuntimeException {
    final boolean isBreak;

    LoopSignal(boolean isBreak) {
      super(null, null, false, false);
      this.isBreak = isBreak;
    }
  }

  private static final LoopSignal BREAK = new LoopSignal(true);
  private static final LoopSignal CONTINUE = new LoopSignal(false);

  private int loopDepth;

  void exec(List<Stmt> body, Scope scope, StringBuilder out) {
    for (Stmt s : body) {
      exec(s, scope, out);
    }
  }

  private void exec(Stmt stmt, Scope scope, StringBuilder out) {
    if (stmt instanceof Node.Text t) {
      out.append(t.text());
    } else if (stmt instanceof Node.Output o) {
      out.append(Py.str(eval(o.expr(), scope)));
    } else if (stmt instanceof Node.If n) {
      exec(Py.truthy(eval(n.test(), scope)) ? n.body() : n.orElse(), scope, out);
    } else if (stmt instanceof Node.For f) {
      execFor(f, scope, out);
    } else if (stmt instanceof Node.Assign a) {
      assign(a.target(), eval(a.value(), scope), scope);
    } else if (stmt instanceof Node.NamespaceAssign a) {
      Object ns = scope.lookup(a.namespace());
      if (!(ns instanceof Namespace n)) {
        throw TemplateException.type("cannot assign attribute on non-namespace object (template line " + a.line() + ")");
      }
      n.attrs.put(a.attr(), eval(a.value(), scope));
    } else if (stmt instanceof Node.BlockAssign a) {
      scope.set(a.name(), filtered(a.body(), a.filters(), scope));
    } else if (stmt instanceof Node.MacroDef m) {
      scope.set(m.name(), macro(m, scope));
    } else if (stmt instanceof Node.FilterBlock fb) {
      out.append(Py.str(filtered(fb.body(), fb.filters(), scope)));
    } else if (stmt instanceof Node.With w) {
      Scope inner = new Scope(scope);
      for (int i = 0; i < w.targets().size(); i++) {
        assign(w.targets().get(i), eval(w.values().get(i), scope), inner);
      }
      exec(w.body(), inner, out);
    } else if (stmt instanceof Node.Break b) {
      requireLoop("break");
      throw BREAK;
    } else if (stmt instanceof Node.Continue c) {
      requireLoop("continue");
      throw CONTINUE;
    } else {
      throw new IllegalStateException(String.valueOf(stmt));
    }
  }

  /** A block's rendered text through {@code filters} ({@code set x | f} and {@code filter f} blocks). */
  private Object filtered(List<Stmt> body, List<Node.Filter> filters, Scope scope) {
    StringBuilder b = new StringBuilder();
    exec(body, scope, b);
    Object v = b.toString();
    for (Node.Filter f : filters) {
      v = applyFilter(f, v, scope);
    }
    return v;
  }

  private void requireLoop(String what) {
    if (loopDepth == 0) {
      throw new TemplateException(TemplateException.Kind.SYNTAX, "'" + what + "' outside of a loop");
    }
  }

  private void execFor(Node.For f, Scope scope, StringBuilder out) {
    List<Object> items = Py.iterate(eval(f.iter(), scope));
    if (f.filter() != null) {
      List<Object> kept = new ArrayList<>();
      for (Object item : items) {
        Scope probe = new Scope(scope);
        assign(f.target(), item, probe);
        if (Py.truthy(eval(f.filter(), probe))) {
          kept.add(item);
        }
      }
      items = kept;
    }
    if (items.isEmpty()) {
      exec(f.orElse(), scope, out);
      return;
    }
    LoopState loop = new LoopState(items);
    loopDepth++;
    try {
      for (int i = 0; i < items.size(); i++) {
        loop.index0 = i;
        Scope inner = new Scope(scope);
        inner.set("loop", loop);
        assign(f.target(), items.get(i), inner);
        try {
          exec(f.body(), inner, out);
        } catch (LoopSignal s) {
          if (s.isBreak) {
            break;
          }
        }
      }
    } finally {
      loopDepth--;
    }
  }

  private void assign(Expr target, Object value, Scope scope) {
    if (target instanceof Node.Name n) {
      scope.set(n.name(), value);
      return;
    }
    List<Expr> names = ((Node.TupleLit) target).items();
    List<Object> values = Py.iterate(value);
    if (values.size() != names.size()) {
      throw TemplateException.type((values.size() > names.size() ? "too many" : "not enough") + " values to unpack (expected "
          + names.size() + ", got " + values.size() + ")");
    }
    for (int i = 0; i < names.size(); i++) {
      assign(names.get(i), values.get(i), scope);
    }
  }

  private JinjaCallable macro(Node.MacroDef m, Scope definedIn) {
    return (args, kwargs) -> {
      if (args.size() > m.params().size()) {
        throw TemplateException.type("macro '" + m.name() + "' takes not more than " + m.params().size() + " argument(s)");
      }
      Scope inner = new Scope(definedIn);
      int firstDefault = m.params().size() - m.defaults().size();
      for (int i = 0; i < m.params().size(); i++) {
        String p = m.params().get(i);
        Object v;
        if (i < args.size()) {
          v = args.get(i);
        } else if (kwargs.containsKey(p)) {
          v = kwargs.get(p);
        } else if (i >= firstDefault) {
          v = eval(m.defaults().get(i - firstDefault), inner);
        } else {
          v = new Undefined("parameter '" + p + "' was not provided");
        }
        inner.set(p, v);
      }
      for (String k : kwargs.keySet()) {
        if (!m.params().contains(k)) {
          throw TemplateException.type("macro '" + m.name() + "' was invoked with two values for the special caller argument or an unknown keyword argument '" + k + "'");
        }
      }
      StringBuilder b = new StringBuilder();
      int depth = loopDepth;
      loopDepth = 0;
      try {
        exec(m.body(), inner, b);
      } finally {
        loopDepth = depth;
      }
      return b.toString();
    };
  }

  Object eval(Expr e, Scope scope) {
    if (e instanceof Node.Const c) {
      return c.value();
    } else if (e instanceof Node.Name n) {
      return scope.lookup(n.name());
    } else if (e instanceof Node.ListLit l) {
      List<Object> out = new ArrayList<>();
      for (Expr x : l.items()) {
        out.add(eval(x, scope));
      }
      return out;
    } else if (e instanceof Node.TupleLit t) {
      List<Object> out = new ArrayList<>();
      for (Expr x : t.items()) {
        out.add(eval(x, scope));
      }
      return new PyTuple(out);
    } else if (e instanceof Node.DictLit d) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (int i = 0; i < d.keys().size(); i++) {
        Object k = eval(d.keys().get(i), scope);
        Object existing = Py.findKey(out, k);
        out.put(existing == Py.MISSING ? k : existing, eval(d.values().get(i), scope));
      }
      return out;
    } else if (e instanceof Node.GetAttr g) {
      return Builtins.getattr(eval(g.target(), scope), g.attr());
    } else if (e instanceof Node.GetItem g) {
      Object target = eval(g.target(), scope);
      if (g.key() instanceof Node.Slice s) {
        return Builtins.slice(target, evalOrNull(s.start(), scope), evalOrNull(s.stop(), scope), evalOrNull(s.step(), scope));
      }
      return Builtins.getitem(target, eval(g.key(), scope));
    } else if (e instanceof Node.Slice s) {
      throw TemplateException.type("a slice outside a subscript");
    } else if (e instanceof Node.Call c) {
      Object target = eval(c.target(), scope);
      List<Object> args = new ArrayList<>();
      for (Expr a : c.args()) {
        args.add(eval(a, scope));
      }
      Map<String, Object> kwargs = new LinkedHashMap<>();
      c.kwargs().forEach((k, v) -> kwargs.put(k, eval(v, scope)));
      if (target instanceof JinjaCallable f) {
        return f.call(args, kwargs);
      }
      if (target instanceof Undefined u) {
        throw u.error();
      }
      throw TemplateException.type("'" + Py.typeName(target) + "' object is not callable (template line " + c.line() + ")");
    } else if (e instanceof Node.Filter f) {
      return applyFilter(f, eval(f.target(), scope), scope);
    } else if (e instanceof Node.Test t) {
      Object v = eval(t.target(), scope);
      List<Object> args = new ArrayList<>();
      for (Expr a : t.args()) {
        args.add(eval(a, scope));
      }
      return Builtins.test(t.name(), v, args);
    } else if (e instanceof Node.Unary u) {
      Object v = eval(u.operand(), scope);
      if (u.op().equals("-")) {
        return Py.negate(v);
      }
      if (v instanceof Undefined un) {
        throw un.error();
      }
      if (!Py.isNumber(v)) {
        throw TemplateException.type("bad operand type for unary +: '" + Py.typeName(v) + "'");
      }
      return v instanceof Boolean ? Py.toLong(v) : v;
    } else if (e instanceof Node.Binary b) {
      return Py.arithmetic(b.op(), eval(b.left(), scope), eval(b.right(), scope));
    } else if (e instanceof Node.Concat c) {
      StringBuilder b = new StringBuilder();
      for (Expr x : c.parts()) {
        b.append(Py.str(eval(x, scope)));
      }
      return b.toString();
    } else if (e instanceof Node.Compare c) {
      Object left = eval(c.first(), scope);
      for (int i = 0; i < c.ops().size(); i++) {
        Object right = eval(c.rest().get(i), scope);
        if (!compare(c.ops().get(i), left, right)) {
          return false;
        }
        left = right;
      }
      return true;
    } else if (e instanceof Node.And a) {
      Object left = eval(a.left(), scope);
      return Py.truthy(left) ? eval(a.right(), scope) : left;
    } else if (e instanceof Node.Or o) {
      Object left = eval(o.left(), scope);
      return Py.truthy(left) ? left : eval(o.right(), scope);
    } else if (e instanceof Node.Not n) {
      return !Py.truthy(eval(n.operand(), scope));
    } else if (e instanceof Node.CondExpr c) {
      if (Py.truthy(eval(c.test(), scope))) {
        return eval(c.body(), scope);
      }
      return c.orElse() == null ? new Undefined("the inline if-expression evaluated to false and no else section was defined.") : eval(c.orElse(), scope);
    } else {
      throw new IllegalStateException(String.valueOf(e));
    }
  }

  private Object evalOrNull(Expr e, Scope scope) {
    return e == null ? null : eval(e, scope);
  }

  private static boolean compare(String op, Object a, Object b) {
    return switch (op) {
      case "==" -> Py.eq(a, b);
      case "!=" -> !Py.eq(a, b);
      case "<" -> Py.compare(a, b, op) < 0;
      case "<=" -> Py.compare(a, b, op) <= 0;
      case ">" -> Py.compare(a, b, op) > 0;
      case ">=" -> Py.compare(a, b, op) >= 0;
      case "in" -> Py.contains(b, a);
      case "not in" -> !Py.contains(b, a);
      default -> throw new IllegalStateException(op);
    };
  }

  private Object applyFilter(Node.Filter f, Object value, Scope scope) {
    List<Object> args = new ArrayList<>();
    for (Expr a : f.args()) {
      args.add(eval(a, scope));
    }
    Map<String, Object> kwargs = new LinkedHashMap<>();
    f.kwargs().forEach((k, v) -> kwargs.put(k, eval(v, scope)));
    return Builtins.filter(f.name(), value, args, kwargs);
  }
}

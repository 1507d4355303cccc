package dev.kansoku.text.jinja;

import dev.kansoku.text.jinja.Node.Expr;
import dev.kansoku.text.jinja.Node.Stmt;
import dev.kansoku.text.jinja.Token.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recursive descent over Jinja 3.1's grammar ({@code jinja2.parser.Parser}, method for method: condexpr, or, and,
 * not, compare, math1, concat, math2, pow, unary, primary, postfix, filter/test chains), with the statements
 * transformers' environment has: if, for (with loop filter and else), set (names, tuples, namespace attributes,
 * blocks), macro, filter, with, break/continue (loopcontrols) and generation (AssistantTracker). Anything else —
 * include, import, extends, block, call, do — is refused by name, as transformers' environment would refuse or
 * could not load it. Unknown filters and tests are refused at parse time, as Jinja does.
 */
final class Parser {
  private static final Set<String> COMPARE_OPS = Set.of("==", "!=", "<", ">", "<=", ">=");

  private final List<Token> tokens;
  private int i;

  private Parser(List<Token> tokens) {
    this.tokens = tokens;
  }

  static List<Stmt> parse(String source) {
    Parser p = new Parser(Lexer.tokenize(source));
    List<Stmt> body = p.subparse(Set.of());
    if (p.cur().type() != Type.EOF) {
      throw TemplateException.syntax("unexpected '" + p.peek(1).value() + "'", p.cur().line());
    }
    return body;
  }

  private Token cur() {
    return tokens.get(i);
  }

  private Token peek(int n) {
    return tokens.get(Math.min(i + n, tokens.size() - 1));
  }

  private Token next() {
    return tokens.get(i++);
  }

  private boolean skipName(String name) {
    if (cur().isName(name)) {
      i++;
      return true;
    }
    return false;
  }

  private boolean skipOp(String op) {
    if (cur().isOp(op)) {
      i++;
      return true;
    }
    return false;
  }

  private Token expect(Type type, String value, String what) {
    Token t = cur();
    if (t.type() != type || (value != null && !t.value().equals(value))) {
      throw TemplateException.syntax("expected " + what + ", got " + t.describe(), t.line());
    }
    i++;
    return t;
  }

  private String expectName() {
    return expect(Type.NAME, null, "a name").value();
  }

  private void expectBlockEnd() {
    expect(Type.BLOCK_END, null, "end of statement block");
  }

  /** Statements until a block tag whose name is in {@code ends} (left unconsumed, at the name) or the end. */
  private List<Stmt> subparse(Set<String> ends) {
    List<Stmt> body = new ArrayList<>();
    while (true) {
      Token t = cur();
      switch (t.type()) {
        case DATA -> {
          i++;
          body.add(new Node.Text(t.value()));
        }
        case VARIABLE_BEGIN -> {
          i++;
          Expr e = parseTuple(false, true, Set.of(), false);
          expect(Type.VARIABLE_END, null, "end of print statement");
          body.add(new Node.Output(e));
        }
        case BLOCK_BEGIN -> {
          i++;
          Token name = cur();
          if (name.type() == Type.NAME && ends.contains(name.value())) {
            return body;
          }
          Stmt s = statement(ends);
          if (s != null) {
            body.add(s);
          }
        }
        case EOF -> {
          if (!ends.isEmpty()) {
            throw TemplateException.syntax("unexpected end of template, expected " + String.join(" or ", ends), t.line());
          }
          return body;
        }
        default -> throw TemplateException.syntax("unexpected " + t.describe(), t.line());
      }
    }
  }

  private Stmt statement(Set<String> outerEnds) {
    Token t = cur();
    if (t.type() != Type.NAME) {
      throw TemplateException.syntax("tag name expected", t.line());
    }
    i++;
    switch (t.value()) {
      case "if":
        return parseIf();
      case "for":
        return parseFor();
      case "set":
        return parseSet();
      case "macro":
        return parseMacro();
      case "filter":
        return parseFilterBlock();
      case "with":
        return parseWith();
      case "break":
        expectBlockEnd();
        return new Node.Break();
      case "continue":
        expectBlockEnd();
        return new Node.Continue();
      case "generation": {
        expectBlockEnd();
        List<Stmt> body = subparse(Set.of("endgeneration"));
        i++;
        expectBlockEnd();
        return new Node.If(new Node.Const(Boolean.TRUE), body, List.of());
      }
      case "include", "import", "from", "extends", "block", "call", "do", "autoescape", "trans", "pluralize":
        throw new TemplateException(TemplateException.Kind.UNSUPPORTED,
            "tag '" + t.value() + "' is not available to chat templates here (template line " + t.line() + ")");
      default:
        throw TemplateException.syntax("encountered unknown tag '" + t.value() + "'"
            + (outerEnds.isEmpty() ? "" : "; expected " + String.join(" or ", outerEnds)), t.line());
    }
  }

  private Stmt parseIf() {
    Expr test = parseTuple(false, true, Set.of(), false);
    expectBlockEnd();
    List<Stmt> body = subparse(Set.of("elif", "else", "endif"));
    String tag = next().value();
    List<Stmt> orElse = List.of();
    if (tag.equals("elif")) {
      orElse = List.of(parseIf());
      return new Node.If(test, body, orElse);
    }
    if (tag.equals("else")) {
      expectBlockEnd();
      orElse = subparse(Set.of("endif"));
      i++;
    }
    expectBlockEnd();
    return new Node.If(test, body, orElse);
  }

  private Stmt parseFor() {
    Expr target = parseAssignTarget(Set.of("in"));
    expect(Type.NAME, "in", "'in'");
    Expr iter = parseTuple(false, false, Set.of("recursive"), false);
    Expr filter = null;
    if (skipName("if")) {
      filter = parseExpression(true);
    }
    if (cur().isName("recursive")) {
      throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "recursive for loops are not available to chat templates here (template line " + cur().line() + ")");
    }
    expectBlockEnd();
    List<Stmt> body = subparse(Set.of("endfor", "else"));
    List<Stmt> orElse = List.of();
    if (next().value().equals("else")) {
      expectBlockEnd();
      orElse = subparse(Set.of("endfor"));
      i++;
    }
    expectBlockEnd();
    return new Node.For(target, iter, filter, body, orElse);
  }

  private Stmt parseSet() {
    if (cur().type() == Type.NAME && peek(1).isOp(".")) {
      String ns = next().value();
      i++;
      String attr = expectName();
      int line = cur().line();
      expect(Type.OPERATOR, "=", "'='");
      Expr value = parseTuple(false, true, Set.of(), false);
      expectBlockEnd();
      return new Node.NamespaceAssign(ns, attr, value, line);
    }
    Expr target = parseAssignTarget(Set.of());
    if (skipOp("=")) {
      Expr value = parseTuple(false, true, Set.of(), false);
      expectBlockEnd();
      return new Node.Assign(target, value);
    }
    if (!(target instanceof Node.Name n)) {
      throw TemplateException.syntax("a block assignment needs a single name", cur().line());
    }
    List<Node.Filter> filters = new ArrayList<>();
    while (cur().isOp("|")) {
      filters.add((Node.Filter) parseFilter(null));
    }
    expectBlockEnd();
    List<Stmt> body = subparse(Set.of("endset"));
    i++;
    expectBlockEnd();
    return new Node.BlockAssign(n.name(), filters, body);
  }

  private Stmt parseMacro() {
    String name = expectName();
    expect(Type.OPERATOR, "(", "'('");
    List<String> params = new ArrayList<>();
    List<Expr> defaults = new ArrayList<>();
    while (!skipOp(")")) {
      if (!params.isEmpty()) {
        expect(Type.OPERATOR, ",", "','");
        if (skipOp(")")) {
          break;
        }
      }
      params.add(expectName());
      if (skipOp("=")) {
        defaults.add(parseExpression(true));
      } else if (!defaults.isEmpty()) {
        throw TemplateException.syntax("non-default argument follows default argument", cur().line());
      }
    }
    expectBlockEnd();
    List<Stmt> body = subparse(Set.of("endmacro"));
    i++;
    expectBlockEnd();
    return new Node.MacroDef(name, params, defaults, body);
  }

  private Stmt parseFilterBlock() {
    List<Node.Filter> filters = new ArrayList<>();
    filters.add((Node.Filter) parseFilterBody(null));
    while (cur().isOp("|")) {
      filters.add((Node.Filter) parseFilter(null));
    }
    expectBlockEnd();
    List<Stmt> body = subparse(Set.of("endfilter"));
    i++;
    expectBlockEnd();
    return new Node.FilterBlock(filters, body);
  }

  private Stmt parseWith() {
    List<Expr> targets = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    while (cur().type() != Type.BLOCK_END) {
      if (!targets.isEmpty()) {
        expect(Type.OPERATOR, ",", "','");
      }
      targets.add(parseAssignTarget(Set.of()));
      expect(Type.OPERATOR, "=", "'='");
      values.add(parseExpression(true));
    }
    expectBlockEnd();
    List<Stmt> body = subparse(Set.of("endwith"));
    i++;
    expectBlockEnd();
    return new Node.With(targets, values, body);
  }

  private Expr parseAssignTarget(Set<String> extraEnds) {
    Expr target = parseTuple(true, true, extraEnds, false);
    checkTarget(target);
    return target;
  }

  private void checkTarget(Expr target) {
    if (target instanceof Node.TupleLit t) {
      t.items().forEach(this::checkTarget);
    } else if (!(target instanceof Node.Name)) {
      throw TemplateException.syntax("can't assign to " + target.getClass().getSimpleName().toLowerCase(), cur().line());
    }
  }

  // ---- expressions

  private Expr parseTuple(boolean simplified, boolean withCondexpr, Set<String> extraEnds, boolean explicitParens) {
    List<Expr> args = new ArrayList<>();
    boolean isTuple = false;
    while (true) {
      if (!args.isEmpty()) {
        expect(Type.OPERATOR, ",", "','");
      }
      if (isTupleEnd(extraEnds)) {
        break;
      }
      args.add(simplified ? parsePrimary() : parseExpression(withCondexpr));
      if (cur().isOp(",")) {
        isTuple = true;
      } else {
        break;
      }
    }
    if (!isTuple) {
      if (!args.isEmpty()) {
        return args.get(0);
      }
      if (!explicitParens) {
        throw TemplateException.syntax("expected an expression, got " + cur().describe(), cur().line());
      }
    }
    return new Node.TupleLit(args);
  }

  private boolean isTupleEnd(Set<String> extraEnds) {
    Token t = cur();
    return t.type() == Type.VARIABLE_END || t.type() == Type.BLOCK_END || t.isOp(")")
        || (t.type() == Type.NAME && extraEnds.contains(t.value()));
  }

  private Expr parseExpression(boolean withCondexpr) {
    return withCondexpr ? parseCondexpr() : parseOr();
  }

  private Expr parseCondexpr() {
    Expr expr1 = parseOr();
    while (skipName("if")) {
      Expr expr2 = parseOr();
      Expr expr3 = skipName("else") ? parseCondexpr() : null;
      expr1 = new Node.CondExpr(expr2, expr1, expr3);
    }
    return expr1;
  }

  private Expr parseOr() {
    Expr left = parseAnd();
    while (skipName("or")) {
      left = new Node.Or(left, parseAnd());
    }
    return left;
  }

  private Expr parseAnd() {
    Expr left = parseNot();
    while (skipName("and")) {
      left = new Node.And(left, parseNot());
    }
    return left;
  }

  private Expr parseNot() {
    if (skipName("not")) {
      return new Node.Not(parseNot());
    }
    return parseCompare();
  }

  private Expr parseCompare() {
    Expr expr = parseMath1();
    List<String> ops = new ArrayList<>();
    List<Expr> rest = new ArrayList<>();
    while (true) {
      Token t = cur();
      if (t.type() == Type.OPERATOR && COMPARE_OPS.contains(t.value())) {
        i++;
        ops.add(t.value());
      } else if (skipName("in")) {
        ops.add("in");
      } else if (t.isName("not") && peek(1).isName("in")) {
        i += 2;
        ops.add("not in");
      } else {
        break;
      }
      rest.add(parseMath1());
    }
    return ops.isEmpty() ? expr : new Node.Compare(expr, ops, rest);
  }

  private Expr parseMath1() {
    Expr left = parseConcat();
    while (cur().isOp("+") || cur().isOp("-")) {
      String op = next().value();
      left = new Node.Binary(op, left, parseConcat());
    }
    return left;
  }

  private Expr parseConcat() {
    List<Expr> args = new ArrayList<>();
    args.add(parseMath2());
    while (skipOp("~")) {
      args.add(parseMath2());
    }
    return args.size() == 1 ? args.get(0) : new Node.Concat(args);
  }

  private Expr parseMath2() {
    Expr left = parsePow();
    while (cur().isOp("*") || cur().isOp("/") || cur().isOp("//") || cur().isOp("%")) {
      String op = next().value();
      left = new Node.Binary(op, left, parsePow());
    }
    return left;
  }

  private Expr parsePow() {
    Expr left = parseUnary(true);
    while (skipOp("**")) {
      left = new Node.Binary("**", left, parseUnary(true));
    }
    return left;
  }

  private Expr parseUnary(boolean withFilter) {
    Expr node;
    if (skipOp("-")) {
      node = new Node.Unary("-", parseUnary(false));
    } else if (skipOp("+")) {
      node = new Node.Unary("+", parseUnary(false));
    } else {
      node = parsePrimary();
    }
    node = parsePostfix(node);
    return withFilter ? parseFilterExpr(node) : node;
  }

  private Expr parsePrimary() {
    Token t = cur();
    switch (t.type()) {
      case NAME -> {
        i++;
        return switch (t.value()) {
          case "true", "True" -> new Node.Const(Boolean.TRUE);
          case "false", "False" -> new Node.Const(Boolean.FALSE);
          case "none", "None" -> new Node.Const(null);
          default -> new Node.Name(t.value(), t.line());
        };
      }
      case STRING -> {
        StringBuilder s = new StringBuilder();
        while (cur().type() == Type.STRING) {
          s.append(next().value());
        }
        return new Node.Const(s.toString());
      }
      case INTEGER -> {
        i++;
        return new Node.Const(Long.parseLong(t.value()));
      }
      case FLOAT -> {
        i++;
        return new Node.Const(Double.parseDouble(t.value()));
      }
      case OPERATOR -> {
        if (skipOp("(")) {
          Expr e = parseTuple(false, true, Set.of(), true);
          expect(Type.OPERATOR, ")", "')'");
          return e;
        }
        if (t.isOp("[")) {
          return parseList();
        }
        if (t.isOp("{")) {
          return parseDict();
        }
      }
      default -> { }
    }
    throw TemplateException.syntax("unexpected " + t.describe(), t.line());
  }

  private Expr parseList() {
    expect(Type.OPERATOR, "[", "'['");
    List<Expr> items = new ArrayList<>();
    while (!cur().isOp("]")) {
      if (!items.isEmpty()) {
        expect(Type.OPERATOR, ",", "','");
      }
      if (cur().isOp("]")) {
        break;
      }
      items.add(parseExpression(true));
    }
    expect(Type.OPERATOR, "]", "']'");
    return new Node.ListLit(items);
  }

  private Expr parseDict() {
    expect(Type.OPERATOR, "{", "'{'");
    List<Expr> keys = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    while (!cur().isOp("}")) {
      if (!keys.isEmpty()) {
        expect(Type.OPERATOR, ",", "','");
      }
      if (cur().isOp("}")) {
        break;
      }
      keys.add(parseExpression(true));
      expect(Type.OPERATOR, ":", "':'");
      values.add(parseExpression(true));
    }
    expect(Type.OPERATOR, "}", "'}'");
    return new Node.DictLit(keys, values);
  }

  private Expr parsePostfix(Expr node) {
    while (true) {
      if (cur().isOp(".") || cur().isOp("[")) {
        node = parseSubscript(node);
      } else if (cur().isOp("(")) {
        node = parseCall(node);
      } else {
        return node;
      }
    }
  }

  private Expr parseFilterExpr(Expr node) {
    while (true) {
      if (cur().isOp("|")) {
        node = parseFilter(node);
      } else if (cur().isName("is")) {
        node = parseTest(node);
      } else if (cur().isOp("(")) {
        node = parseCall(node);
      } else {
        return node;
      }
    }
  }

  private Expr parseSubscript(Expr node) {
    Token t = next();
    if (t.isOp(".")) {
      Token attr = next();
      if (attr.type() == Type.NAME) {
        return new Node.GetAttr(node, attr.value());
      }
      if (attr.type() == Type.INTEGER) {
        return new Node.GetItem(node, new Node.Const(Long.parseLong(attr.value())));
      }
      throw TemplateException.syntax("expected name or number", attr.line());
    }
    List<Expr> args = new ArrayList<>();
    while (!cur().isOp("]")) {
      if (!args.isEmpty()) {
        expect(Type.OPERATOR, ",", "','");
      }
      args.add(parseSubscribed());
    }
    expect(Type.OPERATOR, "]", "']'");
    return new Node.GetItem(node, args.size() == 1 ? args.get(0) : new Node.TupleLit(args));
  }

  private Expr parseSubscribed() {
    Expr start = null;
    if (!cur().isOp(":")) {
      start = parseExpression(true);
      if (!cur().isOp(":")) {
        return start;
      }
    }
    i++;
    Expr stop = null;
    Expr step = null;
    if (!cur().isOp("]") && !cur().isOp(",") && !cur().isOp(":")) {
      stop = parseExpression(true);
    }
    if (skipOp(":") && !cur().isOp("]") && !cur().isOp(",")) {
      step = parseExpression(true);
    }
    return new Node.Slice(start, stop, step);
  }

  private record Args(List<Expr> args, Map<String, Expr> kwargs) {}

  private Args parseCallArgs() {
    expect(Type.OPERATOR, "(", "'('");
    List<Expr> args = new ArrayList<>();
    Map<String, Expr> kwargs = new LinkedHashMap<>();
    boolean first = true;
    while (!cur().isOp(")")) {
      if (!first) {
        expect(Type.OPERATOR, ",", "','");
        if (cur().isOp(")")) {
          break;
        }
      }
      first = false;
      if (cur().isOp("*") || cur().isOp("**")) {
        throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "*args/**kwargs in calls are not available to chat templates here (template line " + cur().line() + ")");
      }
      if (cur().type() == Type.NAME && peek(1).isOp("=")) {
        String key = next().value();
        i++;
        kwargs.put(key, parseExpression(true));
      } else {
        if (!kwargs.isEmpty()) {
          throw TemplateException.syntax("positional argument follows keyword argument", cur().line());
        }
        args.add(parseExpression(true));
      }
    }
    expect(Type.OPERATOR, ")", "')'");
    return new Args(args, kwargs);
  }

  private Expr parseCall(Expr node) {
    int line = cur().line();
    Args a = parseCallArgs();
    return new Node.Call(node, a.args(), a.kwargs(), line);
  }

  private Expr parseFilter(Expr node) {
    expect(Type.OPERATOR, "|", "'|'");
    return parseFilterBody(node);
  }

  private Expr parseFilterBody(Expr node) {
    Token t = cur();
    StringBuilder name = new StringBuilder(expectName());
    while (cur().isOp(".")) {
      i++;
      name.append('.').append(expectName());
    }
    if (!Builtins.hasFilter(name.toString())) {
      throw TemplateException.syntax("no filter named '" + name + "'", t.line());
    }
    Args a = cur().isOp("(") ? parseCallArgs() : new Args(List.of(), Map.of());
    return new Node.Filter(node, name.toString(), a.args(), a.kwargs(), t.line());
  }

  private Expr parseTest(Expr node) {
    i++;
    boolean negated = skipName("not");
    Token t = cur();
    StringBuilder name = new StringBuilder(expectName());
    while (cur().isOp(".")) {
      i++;
      name.append('.').append(expectName());
    }
    if (!Builtins.hasTest(name.toString())) {
      throw TemplateException.syntax("no test named '" + name + "'", t.line());
    }
    List<Expr> args = List.of();
    Token c = cur();
    if (c.isOp("(")) {
      Args a = parseCallArgs();
      if (!a.kwargs().isEmpty()) {
        throw new TemplateException(TemplateException.Kind.UNSUPPORTED, "keyword arguments to tests are not available here (template line " + t.line() + ")");
      }
      args = a.args();
    } else if ((c.type() == Type.NAME || c.type() == Type.STRING || c.type() == Type.INTEGER || c.type() == Type.FLOAT
        || c.isOp("[") || c.isOp("{")) && !c.isName("else") && !c.isName("or") && !c.isName("and")) {
      if (c.isName("is")) {
        throw TemplateException.syntax("you cannot chain multiple tests with is", c.line());
      }
      args = List.of(parsePostfix(parsePrimary()));
    }
    Expr test = new Node.Test(node, name.toString(), args, t.line());
    return negated ? new Node.Not(test) : test;
  }
}

package dev.kansoku.text.jinja;

import java.util.List;
import java.util.Map;

/** The syntax tree: Jinja's node types that chat templates use, as records. */
final class Node {
  private Node() {}

  sealed interface Expr permits Const, Name, ListLit, TupleLit, DictLit, GetAttr, GetItem, Slice, Call, Filter, Test,
      Unary, Binary, Concat, Compare, And, Or, Not, CondExpr {}

  record Const(Object value) implements Expr {}

  record Name(String name, int line) implements Expr {}

  record ListLit(List<Expr> items) implements Expr {}

  record TupleLit(List<Expr> items) implements Expr {}

  record DictLit(List<Expr> keys, List<Expr> values) implements Expr {}

  record GetAttr(Expr target, String attr) implements Expr {}

  record GetItem(Expr target, Expr key) implements Expr {}

  /** {@code a[start:stop:step]}; absent parts are null. */
  record Slice(Expr start, Expr stop, Expr step) implements Expr {}

  record Call(Expr target, List<Expr> args, Map<String, Expr> kwargs, int line) implements Expr {}

  record Filter(Expr target, String name, List<Expr> args, Map<String, Expr> kwargs, int line) implements Expr {}

  record Test(Expr target, String name, List<Expr> args, int line) implements Expr {}

  record Unary(String op, Expr operand) implements Expr {}

  record Binary(String op, Expr left, Expr right) implements Expr {}

  record Concat(List<Expr> parts) implements Expr {}

  record Compare(Expr first, List<String> ops, List<Expr> rest) implements Expr {}

  record And(Expr left, Expr right) implements Expr {}

  record Or(Expr left, Expr right) implements Expr {}

  record Not(Expr operand) implements Expr {}

  /** {@code body if test else orElse}; orElse null = undefined when the test fails. */
  record CondExpr(Expr test, Expr body, Expr orElse) implements Expr {}

  sealed interface Stmt permits Text, Output, If, For, Assign, NamespaceAssign, BlockAssign, MacroDef, FilterBlock, With,
      Break, Continue {}

  record Text(String text) implements Stmt {}

  record Output(Expr expr) implements Stmt {}

  record If(Expr test, List<Stmt> body, List<Stmt> orElse) implements Stmt {}

  /** target is a name or a tuple of names. */
  record For(Expr target, Expr iter, Expr filter, List<Stmt> body, List<Stmt> orElse) implements Stmt {}

  record Assign(Expr target, Expr value) implements Stmt {}

  record NamespaceAssign(String namespace, String attr, Expr value, int line) implements Stmt {}

  record BlockAssign(String name, List<Filter> filters, List<Stmt> body) implements Stmt {}

  record MacroDef(String name, List<String> params, List<Expr> defaults, List<Stmt> body) implements Stmt {}

  /** {@code {% filter f %}body{% endfilter %}}: filters applied to the rendered body (target null). */
  record FilterBlock(List<Filter> filters, List<Stmt> body) implements Stmt {}

  record With(List<Expr> targets, List<Expr> values, List<Stmt> body) implements Stmt {}

  record Break() implements Stmt {}

  record Continue() implements Stmt {}
}

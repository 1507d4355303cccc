package dev.kansoku.text.jinja;

/** One lexer token; {@code value} is the data text, name, operator, decoded string or number literal. */
record Token(Type type, String value, int line) {
  enum Type { DATA, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF }

  boolean is(Type t, String v) {
    return type == t && value.equals(v);
  }

  boolean isName(String v) {
    return is(Type.NAME, v);
  }

  boolean isOp(String v) {
    return is(Type.OPERATOR, v);
  }

  String describe() {
    return switch (type) {
      case EOF -> "end of template";
      case VARIABLE_END, BLOCK_END -> "end of statement";
      case STRING -> "string";
      default -> "'" + value + "'";
    };
  }
}

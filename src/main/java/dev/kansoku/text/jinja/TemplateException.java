package dev.kansoku.text.jinja;

/**
 * A template that cannot be parsed or rendered. {@link Kind#RAISED} is the template's own
 * {@code raise_exception(message)} (a conversation the template refuses); the others are Jinja's syntax, undefined,
 * type and security errors, with Jinja's wording where it has one.
 */
public final class TemplateException extends RuntimeException {
  public enum Kind { SYNTAX, UNDEFINED, TYPE, SECURITY, RAISED, UNSUPPORTED }

  private final Kind kind;

  public TemplateException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  static TemplateException syntax(String message, int line) {
    return new TemplateException(Kind.SYNTAX, message + " (template line " + line + ")");
  }

  static TemplateException type(String message) {
    return new TemplateException(Kind.TYPE, message);
  }
}

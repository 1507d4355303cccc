package dev.kansoku.text.jinja;

/**
 * Jinja's default {@code Undefined}: prints as nothing, iterates as empty, is false and equal only to another
 * undefined; reading an attribute or item of it, or using it in arithmetic, is an error carrying {@code hint}.
 */
record Undefined(String hint) {
  TemplateException error() {
    return new TemplateException(TemplateException.Kind.UNDEFINED, hint);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Undefined;
  }

  @Override
  public int hashCode() {
    return 0;
  }
}

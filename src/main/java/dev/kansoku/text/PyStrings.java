package dev.kansoku.text;

/** Python string semantics that Java's String lacks or defines differently. */
public final class PyStrings {
  private PyStrings() {}

  /** Python's {@code str.isspace} for one code point (Unicode whitespace, including NBSP and U+3000). */
  public static boolean isSpace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x1c || cp == 0x1d || cp == 0x1e || cp == 0x1f || cp == 0x85;
  }

  /** Python's {@code str.strip()} with no argument. */
  public static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.codePointAt(start))) {
      start += Character.charCount(s.codePointAt(start));
    }
    while (end > start && isSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(start, end);
  }

  /** Python's {@code str.rstrip()} with no argument: the index where trailing whitespace starts. */
  public static int rstripEnd(String s) {
    int end = s.length();
    while (end > 0 && isSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return end;
  }

  /** Python's {@code str.rstrip()} with no argument. */
  public static String rstrip(String s) {
    return s.substring(0, rstripEnd(s));
  }

  /** Python's {@code str.capitalize()}: first character upper-cased, the rest lower-cased. */
  public static String capitalize(String s) {
    if (s.isEmpty()) {
      return s;
    }
    int first = s.codePointAt(0);
    int n = Character.charCount(first);
    return new StringBuilder().appendCodePoint(Character.toTitleCase(first)).append(s.substring(n).toLowerCase(java.util.Locale.ROOT)).toString();
  }
}

package dev.kansoku.text.jinja;

import dev.kansoku.text.PyStrings;
import java.util.ArrayList;
import java.util.List;

/**
 * Jinja 3.1's lexer under transformers' environment: {@code trim_blocks} and {@code lstrip_blocks} on,
 * {@code keep_trailing_newline} off, newlines normalised to {@code \n}, {@code -}/{@code +} whitespace control,
 * {@code raw} blocks, comments. Whitespace control is where other JVM Jinja engines differ from the reference,
 * so each rule below follows {@code jinja2.lexer.Lexer.tokeniter}.
 */
final class Lexer {
  private static final String OPERATORS_2 = "//**==!=>=<=";
  private static final String OPERATORS_1 = "+-/*%~[](){}><=.:|,;";

  private final String src;
  private final List<Token> out = new ArrayList<>();
  private int pos;
  private int line = 1;
  private boolean lineStarting = true;

  private Lexer(String source) {
    String s = source.replace("\r\n", "\n").replace('\r', '\n');
    this.src = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  static List<Token> tokenize(String source) {
    Lexer l = new Lexer(source);
    l.run();
    return l.out;
  }

  private void run() {
    while (pos < src.length()) {
      int start = nextTagStart(pos);
      if (start < 0) {
        data(src.substring(pos));
        pos = src.length();
        break;
      }
      char kind = src.charAt(start + 1);
      char sign = start + 2 < src.length() ? src.charAt(start + 2) : 0;
      String text = src.substring(pos, start);
      if (kind == '%' && rawBlockAt(start, text, sign)) {
        continue;
      }
      if (sign == '-') {
        text = text.substring(0, rstripEnd(text, text.length()));
      } else if (sign != '+' && kind != '{') {
        text = lstripBlock(text);
      }
      data(text);
      countLines(pos, start);
      pos = start + 2 + (sign == '-' || sign == '+' ? 1 : 0);
      switch (kind) {
        case '#' -> comment();
        case '{' -> tag(Token.Type.VARIABLE_BEGIN, Token.Type.VARIABLE_END, '}');
        default -> tag(Token.Type.BLOCK_BEGIN, Token.Type.BLOCK_END, '%');
      }
    }
    out.add(new Token(Token.Type.EOF, "", line));
  }

  private int nextTagStart(int from) {
    int i = src.indexOf('{', from);
    while (i >= 0 && i + 1 < src.length()) {
      char c = src.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
      i = src.indexOf('{', i + 1);
    }
    return -1;
  }

  /** lstrip_blocks: spaces between the line start and a block or comment tag are dropped. */
  private String lstripBlock(String text) {
    int lpos = text.lastIndexOf('\n') + 1;
    if ((lpos > 0 || lineStarting) && lpos < text.length()) {
      for (int i = lpos; i < text.length(); i++) {
        if (!PyStrings.isSpace(text.charAt(i))) {
          return text;
        }
      }
      return text.substring(0, lpos);
    }
    return text;
  }

  private void data(String text) {
    if (!text.isEmpty()) {
      out.add(new Token(Token.Type.DATA, text, line));
    }
    lineStarting = false;
  }

  private void comment() {
    int end = src.indexOf("#}", pos);
    if (end < 0) {
      throw TemplateException.syntax("missing end of comment tag", line);
    }
    char before = end > pos ? src.charAt(end - 1) : 0;
    countLines(pos, end);
    pos = end + 2;
    afterTag(before, true);
  }

  /** Whitespace after a tag: {@code -} strips all of it; trim_blocks drops one newline after blocks and comments. */
  private void afterTag(char sign, boolean trimBlocks) {
    int from = pos;
    if (sign == '-') {
      while (pos < src.length() && PyStrings.isSpace(src.charAt(pos))) {
        pos++;
      }
    } else if (sign != '+' && trimBlocks && pos < src.length() && src.charAt(pos) == '\n') {
      pos++;
    }
    countLines(from, pos);
    lineStarting = pos > 0 && src.charAt(pos - 1) == '\n';
  }

  private void tag(Token.Type begin, Token.Type endType, char endChar) {
    out.add(new Token(begin, "", line));
    int depth = 0;
    while (true) {
      skipSpace();
      if (pos >= src.length()) {
        throw TemplateException.syntax("unexpected end of template, expected end of " + (endChar == '%' ? "block" : "print") + " statement", line);
      }
      if (depth == 0) {
        char c = src.charAt(pos);
        boolean signed = (c == '-' || c == '+') && src.startsWith(endChar + "}", pos + 1);
        if (signed || src.startsWith(endChar + "}", pos)) {
          pos += signed ? 3 : 2;
          out.add(new Token(endType, "", line));
          afterTag(signed ? c : 0, endChar == '%');
          return;
        }
      }
      Token t = literal();
      if (t.type() == Token.Type.OPERATOR) {
        switch (t.value()) {
          case "(", "[", "{" -> depth++;
          case ")", "]", "}" -> depth = Math.max(0, depth - 1);
          default -> { }
        }
      }
      out.add(t);
    }
  }

  private Token literal() {
    char c = src.charAt(pos);
    int l = line;
    if (Character.isLetter(c) || c == '_') {
      int s = pos;
      while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
        pos++;
      }
      return new Token(Token.Type.NAME, src.substring(s, pos), l);
    }
    if (c >= '0' && c <= '9') {
      return number();
    }
    if (c == '\'' || c == '"') {
      return string(c);
    }
    if (pos + 1 < src.length()) {
      String two = src.substring(pos, pos + 2);
      for (int i = 0; i < OPERATORS_2.length(); i += 2) {
        if (OPERATORS_2.startsWith(two, i)) {
          pos += 2;
          return new Token(Token.Type.OPERATOR, two, l);
        }
      }
    }
    if (OPERATORS_1.indexOf(c) >= 0) {
      pos++;
      return new Token(Token.Type.OPERATOR, String.valueOf(c), l);
    }
    throw TemplateException.syntax("unexpected char '" + c + "'", l);
  }

  private Token number() {
    int s = pos;
    digits();
    boolean isFloat = false;
    // Jinja's float pattern has (?<!\.): after a dot (x.0.1) numbers are integers, items of items
    boolean afterDot = s > 0 && src.charAt(s - 1) == '.';
    if (afterDot) {
      return new Token(Token.Type.INTEGER, src.substring(s, pos).replace("_", ""), line);
    }
    if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
      pos++;
      digits();
      isFloat = true;
    }
    if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
      int mark = pos;
      pos++;
      if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
        pos++;
      }
      if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
        digits();
        isFloat = true;
      } else {
        pos = mark;
      }
    }
    String text = src.substring(s, pos).replace("_", "");
    return new Token(isFloat ? Token.Type.FLOAT : Token.Type.INTEGER, text, line);
  }

  private void digits() {
    while (pos < src.length() && (Character.isDigit(src.charAt(pos))
        || (src.charAt(pos) == '_' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1))))) {
      pos++;
    }
  }

  private Token string(char quote) {
    int l = line;
    int s = ++pos;
    while (pos < src.length() && src.charAt(pos) != quote) {
      if (src.charAt(pos) == '\\') {
        pos++;
      }
      pos++;
    }
    if (pos >= src.length()) {
      throw TemplateException.syntax("unterminated string", l);
    }
    String body = src.substring(s, pos++);
    countLines(s, pos);
    return new Token(Token.Type.STRING, unescape(body), l);
  }

  /** Python's {@code unicode-escape} decoding, which Jinja applies to string literals. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= s.length()) {
        b.append(c);
        continue;
      }
      char e = s.charAt(++i);
      switch (e) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case '\\' -> b.append('\\');
        case '\'' -> b.append('\'');
        case '"' -> b.append('"');
        case 'a' -> b.append('\u0007');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'v' -> b.append('\u000b');
        case '\n' -> { }
        case 'x' -> i = hex(s, i, 2, b);
        case 'u' -> i = hex(s, i, 4, b);
        case 'U' -> i = hex(s, i, 8, b);
        default -> {
          if (e >= '0' && e <= '7') {
            int v = 0;
            int n = 0;
            while (n < 3 && i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7') {
              v = v * 8 + (s.charAt(i++) - '0');
              n++;
            }
            i--;
            b.append((char) v);
          } else {
            b.append('\\').append(e);
          }
        }
      }
    }
    return b.toString();
  }

  private static int hex(String s, int i, int n, StringBuilder b) {
    try {
      b.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 1 + n), 16));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      throw new TemplateException(TemplateException.Kind.SYNTAX, "truncated \\" + s.charAt(i) + " escape in a string literal");
    }
    return i + n;
  }

  private boolean rawBlockAt(int start, String text, char sign) {
    int i = start + 2 + (sign == '-' || sign == '+' ? 1 : 0);
    i = skipSpace(i);
    if (!src.startsWith("raw", i)) {
      return false;
    }
    int j = skipSpace(i + 3);
    boolean dash = src.startsWith("-%}", j);
    if (!dash && !src.startsWith("%}", j) || (i + 3 < src.length() && Character.isLetterOrDigit(src.charAt(i + 3)))) {
      return false;
    }
    String before = sign == '-' ? text.substring(0, rstripEnd(text, text.length())) : sign != '+' ? lstripBlock(text) : text;
    data(before);
    countLines(pos, start);
    int bodyStart = j + (dash ? 3 : 2);
    if (dash) {
      while (bodyStart < src.length() && PyStrings.isSpace(src.charAt(bodyStart))) {
        bodyStart++;
      }
    }
    int k = bodyStart;
    while (true) {
      k = src.indexOf("{%", k);
      if (k < 0) {
        throw TemplateException.syntax("missing end of raw directive", line);
      }
      char endSign = k + 2 < src.length() ? src.charAt(k + 2) : 0;
      int m = skipSpace(k + 2 + (endSign == '-' || endSign == '+' ? 1 : 0));
      if (src.startsWith("endraw", m)) {
        int n = skipSpace(m + 6);
        char closeSign = src.charAt(n);
        if (src.startsWith("%}", n) || ((closeSign == '-' || closeSign == '+') && src.startsWith("%}", n + 1))) {
          String body = src.substring(bodyStart, k);
          if (endSign == '-') {
            body = body.substring(0, rstripEnd(body, body.length()));
          }
          data(body);
          countLines(start, n);
          pos = n + (src.startsWith("%}", n) ? 2 : 3);
          afterTag(src.startsWith("%}", n) ? 0 : closeSign, true);
          return true;
        }
      }
      k += 2;
    }
  }

  private static int rstripEnd(String s, int end) {
    while (end > 0 && PyStrings.isSpace(s.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  private void skipSpace() {
    int from = pos;
    pos = skipSpace(pos);
    countLines(from, pos);
  }

  private int skipSpace(int i) {
    while (i < src.length() && Character.isWhitespace(src.charAt(i))) {
      i++;
    }
    return i;
  }

  private void countLines(int from, int to) {
    for (int i = from; i < to && i < src.length(); i++) {
      if (src.charAt(i) == '\n') {
        line++;
      }
    }
  }
}

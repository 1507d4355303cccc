package dev.kansoku.metric;

import dev.kansoku.text.PyStrings;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * llm-jp-eval 1.3.0's {@code char_f1}: {@code fuzz.token_sort_ratio(pred, gold) / 100} from fuzzywuzzy 0.18.0
 * with python-Levenshtein 0.21.1 installed (as llm-jp-eval's lock file pins). Despite its name it is not a
 * bag-of-characters F1:
 * <ol>
 *   <li>full processing of each string: characters U+0080–U+00FF removed ({@code force_ascii}), every
 *       non-word character (Python's Unicode {@code \W}) replaced by a space, lower-cased, stripped;</li>
 *   <li>whitespace tokens sorted and joined by single spaces;</li>
 *   <li>{@code Levenshtein.ratio} = 2·LCS / (len₁ + len₂) over code points (indel distance), equal strings 1;</li>
 *   <li>rounded to an integer percent with Python's {@code round} (half to even), an empty side scoring 0.</li>
 * </ol>
 */
public final class CharF1 {
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}_]", Pattern.UNICODE_CHARACTER_CLASS);

  private CharF1() {}

  public static double score(String prediction, String gold) {
    return tokenSortRatio(prediction, gold) / 100.0;
  }

  /** fuzzywuzzy's {@code token_sort_ratio(s1, s2)} with its defaults (force_ascii, full_process). */
  public static int tokenSortRatio(String s1, String s2) {
    return ratio(sortedTokens(s1), sortedTokens(s2));
  }

  static String sortedTokens(String s) {
    String processed = fullProcess(s);
    String[] tokens = processed.isEmpty() ? new String[0] : processed.split("\\s+");
    Arrays.sort(tokens, CharF1::compareCodePoints);
    return String.join(" ", tokens).strip();
  }

  /** {@code utils.full_process(s, force_ascii=True)}. */
  static String fullProcess(String s) {
    StringBuilder ascii = new StringBuilder(s.length());
    s.codePoints().filter(cp -> cp < 128 || cp > 255).forEach(ascii::appendCodePoint);
    String spaced = NON_WORD.matcher(ascii).replaceAll(" ");
    return PyStrings.strip(spaced.toLowerCase(Locale.ROOT));
  }

  /** {@code fuzz.ratio}: equal strings 100, an empty side 0, else round(100 · Levenshtein.ratio). */
  static int ratio(String a, String b) {
    if (a.equals(b)) {
      return 100;
    }
    if (a.isEmpty() || b.isEmpty()) {
      return 0;
    }
    int[] x = a.codePoints().toArray();
    int[] y = b.codePoints().toArray();
    double r = 2.0 * lcs(x, y) / (x.length + y.length);
    return (int) Math.rint(100 * r); // Python's round: half to even
  }

  /** Longest common subsequence length (the indel distance is len₁ + len₂ − 2·LCS). */
  private static int lcs(int[] x, int[] y) {
    int[] prev = new int[y.length + 1];
    int[] cur = new int[y.length + 1];
    for (int i = 1; i <= x.length; i++) {
      for (int j = 1; j <= y.length; j++) {
        cur[j] = x[i - 1] == y[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[y.length];
  }

  /** Python sorts str by code point, Java's String.compareTo by UTF-16 unit: differ above the BMP. */
  private static int compareCodePoints(String a, String b) {
    int[] x = a.codePoints().toArray();
    int[] y = b.codePoints().toArray();
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] != y[i]) {
        return Integer.compare(x[i], y[i]);
      }
    }
    return Integer.compare(x.length, y.length);
  }
}

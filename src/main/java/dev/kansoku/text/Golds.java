package dev.kansoku.text;

import java.util.Arrays;
import java.util.List;

/**
 * Several gold answers in one string column (TriviaQA's aliases, SQuAD's annotator answers): joined by the
 * ASCII unit separator, which no benchmark text contains.
 */
public final class Golds {
  public static final char SEPARATOR = '\u001f';

  private Golds() {}

  public static String join(List<String> golds) {
    return String.join(String.valueOf(SEPARATOR), golds);
  }

  public static List<String> split(String joined) {
    if (joined == null) {
      return List.of();
    }
    return Arrays.asList(joined.split(String.valueOf(SEPARATOR), -1));
  }
}

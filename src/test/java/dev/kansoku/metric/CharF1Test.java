package dev.kansoku.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Hand-checked values of fuzzywuzzy 0.18.0 token_sort_ratio with python-Levenshtein (2·LCS / total length). */
class CharF1Test {
  @Test
  void tokenOrderAndPunctuationDoNotMatter() {
    assertEquals(100, CharF1.tokenSortRatio("fuzzy wuzzy was a bear", "wuzzy fuzzy was a bear"));
    assertEquals(100, CharF1.tokenSortRatio("this is a test", "this is a test!"));
    assertEquals(100, CharF1.tokenSortRatio("YES", "yes"));
  }

  @Test
  void ratioIsTwiceTheCommonSubsequenceOverTheTotalLength() {
    // "東京都" vs "東京": LCS 2, lengths 3 + 2 → 0.8
    assertEquals(0.8, CharF1.score("東京都", "東京"), 0.0);
    // "new york" vs sorted "city new york": LCS 8, lengths 8 + 13 → 16/21 = 0.7619 → 76
    assertEquals(76, CharF1.tokenSortRatio("New York", "new-york city"));
    // different scripts share nothing
    assertEquals(0, CharF1.tokenSortRatio("ＹＥＳ", "YES"));
  }

  @Test
  void roundsHalfToEvenLikePython() {
    // 2·1 / (1 + 15) = 0.125 → 12.5 → round() = 12
    assertEquals(12, CharF1.tokenSortRatio("a", "abcdefghijklmno"));
    // 2·3 / (3 + 5) = 0.75 → 75
    assertEquals(75, CharF1.tokenSortRatio("abc", "abcde"));
  }

  @Test
  void emptyAndLatin1Handling() {
    assertEquals(0, CharF1.tokenSortRatio("", "東京"));
    assertEquals(100, CharF1.tokenSortRatio("", "!!"), "both empty after processing: equal strings");
    // force_ascii drops U+0080–U+00FF only: "café" → "caf"
    assertEquals(100, CharF1.tokenSortRatio("café", "caf"));
    assertEquals("ファイナルファンタジーxiii", CharF1.fullProcess("ファイナルファンタジーXIII"));
    // "・" is not a word character: it splits tokens, which are then sorted by code point
    assertEquals("11月 2010年", CharF1.sortedTokens("2010年・11月"));
  }
}

package dev.kansoku.metric;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.ja.JapaneseTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * Japanese text as IPADIC morphemes (surface forms), what MeCab {@code -Owakati} with IPADIC prints: Lucene's
 * Kuromoji carries the same dictionary in Java. Punctuation is kept as tokens (wakati keeps it); whitespace is
 * dropped. Used where the references segment Japanese before n-gram metrics (ROUGE-2 on XL-Sum; BLEU into
 * Japanese, where the JP harness uses nagisa — a documented difference).
 */
public final class JapaneseMorphemes {
  private JapaneseMorphemes() {}

  public static List<String> segment(String text) {
    List<String> out = new ArrayList<>();
    // a tokenizer per call: Lucene tokenizers are not thread-safe and are cheap next to a model call
    try (JapaneseTokenizer tokenizer = new JapaneseTokenizer(null, false, JapaneseTokenizer.Mode.NORMAL)) {
      CharTermAttribute term = tokenizer.addAttribute(CharTermAttribute.class);
      tokenizer.setReader(new StringReader(text));
      tokenizer.reset();
      while (tokenizer.incrementToken()) {
        String t = term.toString();
        if (!t.isBlank()) {
          out.add(t);
        }
      }
      tokenizer.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}

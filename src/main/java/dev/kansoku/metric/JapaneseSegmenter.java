package dev.kansoku.metric;

import java.util.List;
import java.util.Locale;

/**
 * How Japanese text becomes words before n-gram metrics (BLEU into Japanese, ROUGE-2 on Japanese). Both
 * segmenters use the IPADIC dictionary: {@code kuromoji} (Lucene's pure-Java analyser, always available, the
 * default) and {@code mecab} (the system's libmecab with its IPADIC, what sacrebleu's {@code ja-mecab} and
 * the JP harness' MecabTokenizer call; available where MeCab is installed). They differ in a few
 * segmentations (figures in docs/prompt-fidelity.md).
 */
public enum JapaneseSegmenter {
  KUROMOJI {
    @Override
    public List<String> segment(String text) {
      return JapaneseMorphemes.segment(text);
    }
  },
  MECAB {
    @Override
    public List<String> segment(String text) {
      return MeCabWakati.shared().segment(text);
    }
  };

  public abstract List<String> segment(String text);

  /** The configured name ({@code kuromoji} or {@code mecab}); anything else is an error naming the choices. */
  public static JapaneseSegmenter named(String name) {
    for (JapaneseSegmenter s : values()) {
      if (s.name().toLowerCase(Locale.ROOT).equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown Japanese segmenter '" + name + "' (kuromoji or mecab)");
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

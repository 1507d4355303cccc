package dev.kansoku.metric;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.List;

/**
 * The system's MeCab through its C API ({@code mecab_new2}, {@code mecab_sparse_tostr}) with JNA: the same
 * library and IPADIC that sacrebleu's {@code ja-mecab} tokenizer and fugashi load. Output is MeCab's
 * {@code -Owakati} (surface forms joined by spaces), split as Python's {@code str.split()}. One tagger per thread (a MeCab
 * tagger is not thread-safe). The dictionary is Debian's IPADIC ({@code /var/lib/mecab/dic/ipadic-utf8}) where it
 * is installed, else MeCab's configured default; {@code KANSOKU_MECAB_ARGS} replaces that choice (for example
 * {@code -d /usr/local/lib/mecab/dic/ipadic}).
 */
final class MeCabWakati {
  /** libmecab's C API, the part used here. */
  interface LibMeCab extends Library {
    Pointer mecab_new2(String arg);

    String mecab_sparse_tostr(Pointer mecab, String text);

    String mecab_strerror(Pointer mecab);
  }

  private static final String DEBIAN_IPADIC = "/var/lib/mecab/dic/ipadic-utf8";
  private static volatile MeCabWakati shared;

  private final LibMeCab lib;
  private final String args;
  private final ThreadLocal<Pointer> tagger;

  private MeCabWakati(LibMeCab lib, String args) {
    this.lib = lib;
    this.args = args;
    this.tagger = ThreadLocal.withInitial(this::newTagger);
  }

  /** Loads libmecab once; a clear error when MeCab or its dictionary is not installed. */
  static MeCabWakati shared() {
    if (shared == null) {
      synchronized (MeCabWakati.class) {
        if (shared == null) {
          LibMeCab lib;
          try {
            lib = Native.load("mecab", LibMeCab.class, java.util.Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
          } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("Japanese segmenter 'mecab' needs the system's libmecab and an IPADIC dictionary "
                + "(Debian: apt-get install libmecab2 mecab-ipadic-utf8): " + e.getMessage(), e);
          }
          String extra = System.getenv("KANSOKU_MECAB_ARGS");
          if ((extra == null || extra.isBlank()) && java.nio.file.Files.isDirectory(java.nio.file.Path.of(DEBIAN_IPADIC))) {
            extra = "-d " + DEBIAN_IPADIC; // IPADIC even where another dictionary is MeCab's default
          }
          MeCabWakati m = new MeCabWakati(lib, "-Owakati" + (extra == null || extra.isBlank() ? "" : " " + extra));
          m.tagger.get(); // fail here, not in the middle of scoring
          shared = m;
        }
      }
    }
    return shared;
  }

  private Pointer newTagger() {
    Pointer t = lib.mecab_new2(args);
    if (t == null) {
      throw new IllegalStateException("MeCab could not start with arguments '" + args + "': " + lib.mecab_strerror(null)
          + " (is a dictionary such as mecab-ipadic-utf8 installed?)");
    }
    return t;
  }

  List<String> segment(String text) {
    // MeCab reads a line: newlines inside the text would end it early
    String out = lib.mecab_sparse_tostr(tagger.get(), text.replace('\n', ' '));
    // split as Python's str.split() (sacrebleu's n-gram extraction): Unicode whitespace, so MeCab's
    // ideographic-space tokens (U+3000) are not words
    return out == null ? List.of() : Tokenizer13a.pythonSplit(out);
  }
}

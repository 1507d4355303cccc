package dev.kansoku.task;

import java.io.IOException;
import java.nio.file.Path;

/** Reads one benchmark file in its published format. Malformed rows are reported, not fatal. */
public interface DatasetLoader {

  /**
   * What to take from a file: rows of one language (XWINO's multilingual TSV), one split of a format that
   * derives its splits (JMMLU as llm-jp-eval cuts it), the aligned reference file of a parallel test set.
   */
  record Selection(String languageFilter, String split, String referenceFile, java.nio.charset.Charset charset) {
    public static final Selection ALL = new Selection(null, null, null);

    /** The text formats (CSV, TSV, plain text) are read in {@code charset}; JSON is UTF-8 by its RFC, XML says its own. */
    public Selection(String languageFilter, String split, String referenceFile) {
      this(languageFilter, split, referenceFile, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static Selection language(String languageFilter) {
      return new Selection(languageFilter, null, null);
    }
  }

  LoadedDataset load(Path file, Selection selection) throws IOException;

  default LoadedDataset load(Path file, String languageFilter) throws IOException {
    return load(file, Selection.language(languageFilter));
  }

  /** The loader for a {@code task.dataset.format} value. */
  static DatasetLoader forFormat(String format) {
    return DatasetFormats.REGISTRY.get(format);
  }
}

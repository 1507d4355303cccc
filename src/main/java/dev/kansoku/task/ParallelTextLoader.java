package dev.kansoku.task;

import dev.kansoku.text.PyStrings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A WMT test set as plain text, one segment per line: the source file ({@code eval-file}) and the aligned
 * reference file ({@code reference-file}), each line right-stripped as sacrebleu's loader does. Fields: src,
 * ref. Files of different lengths are not aligned: that is an error naming both, not a row error.
 */
public final class ParallelTextLoader implements DatasetLoader {
  @Override
  public LoadedDataset load(Path source, Selection selection) throws IOException {
    if (selection.referenceFile() == null) {
      throw new DatasetFormatException(source.toString(), "reference-file", "a parallel test set needs dataset.reference-file");
    }
    Path reference = Path.of(selection.referenceFile());
    List<String> src = Files.readAllLines(source, selection.charset());
    List<String> ref = Files.readAllLines(reference, selection.charset());
    if (src.size() != ref.size()) {
      throw new DatasetFormatException(source + " / " + reference, "lines",
          "source has " + src.size() + " lines, reference " + ref.size() + ": not aligned");
    }
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    for (int i = 0; i < src.size(); i++) {
      String s = PyStrings.rstrip(src.get(i));
      String r = PyStrings.rstrip(ref.get(i));
      if (s.isEmpty() || r.isEmpty()) {
        errors.add(new LoadedDataset.RowError(source.toString(), i + 1, "empty " + (s.isEmpty() ? "source" : "reference") + " segment"));
        continue;
      }
      Map<String, String> f = new LinkedHashMap<>();
      f.put("src", s);
      f.put("ref", r);
      docs.add(new Doc(String.valueOf(i), f, source + ":" + (i + 1)));
    }
    return new LoadedDataset(docs, errors);
  }
}

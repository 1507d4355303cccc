package dev.kansoku.task;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * The lossy text dump of HellaSwag's validation set ({@code hellaswag_val_full.txt[.bz2]}, 6 lines per item:
 * context, gold index, four endings) — a substitute while the published JSONL is absent. The context line
 * is "activity_label: ctx_a ctx_b" as published, so the harness' {@code ctx_b.capitalize()} cannot be applied
 * (the boundary is lost): the one known deviation from {@link HellaSwagJsonLoader}, stated in the README.
 */
public final class HellaSwagTextLoader implements DatasetLoader {
  @Override
  public LoadedDataset load(Path file, Selection selection) throws IOException {
    List<String> lines = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(file);
         InputStream in = file.toString().endsWith(".bz2") ? new BZip2CompressorInputStream(raw) : raw;
         BufferedReader r = new BufferedReader(new InputStreamReader(in, selection.charset()))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
      }
    }
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    for (int start = 0; start + 6 <= lines.size(); start += 6) {
      long lineNo = start + 1;
      int gold;
      try {
        gold = Integer.parseInt(lines.get(start + 1).trim());
      } catch (NumberFormatException e) {
        errors.add(new LoadedDataset.RowError(file.toString(), lineNo + 1, "gold index is not a number: '" + lines.get(start + 1) + "'"));
        continue;
      }
      if (gold < 0 || gold > 3) {
        errors.add(new LoadedDataset.RowError(file.toString(), lineNo + 1, "gold index " + gold + " outside 0-3"));
        continue;
      }
      docs.add(new Doc(String.valueOf(start / 6), HellaSwagJsonLoader.fields(lines.get(start), lines.subList(start + 2, start + 6), gold),
          file + ":" + lineNo));
    }
    if (lines.size() % 6 != 0) {
      errors.add(new LoadedDataset.RowError(file.toString(), lines.size() - lines.size() % 6 + 1,
          "truncated record: " + lines.size() % 6 + " trailing lines (records are 6 lines)"));
    }
    return new LoadedDataset(docs, errors);
  }
}

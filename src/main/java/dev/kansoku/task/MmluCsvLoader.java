package dev.kansoku.task;

import dev.kansoku.text.PyStrings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * MMLU as Hendrycks et al. publish it ({@code data.tar}): a folder per split ({@code test/}, {@code dev/})
 * holding {@code <subject>_<split>.csv}, header-less rows of question, A, B, C, D, answer letter. Subjects are
 * read in name order (lm-evaluation-harness runs one task per subject, so order does not change a prompt).
 * Fields: question, question_strip, choice0..choice3, gold (0–3), subject, subject_name (underscores as spaces, as the
 * harness' task descriptions write it).
 */
public final class MmluCsvLoader implements DatasetLoader {
  private static final String LETTERS = "ABCD";

  @Override
  public LoadedDataset load(Path dir, Selection selection) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new DatasetFormatException(dir.toString(), "eval-file", "expected an MMLU split folder (test/ or dev/) of <subject>_<split>.csv files");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList();
    }
    String split = dir.getFileName().toString();
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    for (Path file : files) {
      String name = file.getFileName().toString();
      String subject = name.substring(0, name.length() - 4);
      if (subject.endsWith("_" + split)) {
        subject = subject.substring(0, subject.length() - split.length() - 1);
      }
      int index = 0;
      for (CsvRows.Row row : CsvRows.read(file, false, selection.charset())) {
        List<String> c = row.cells();
        int gold = c.size() == 6 ? LETTERS.indexOf(c.get(5)) : -1;
        if (c.size() != 6 || gold < 0 || c.get(5).length() != 1) {
          errors.add(new LoadedDataset.RowError(file.toString(), row.line(),
              c.size() == 6 ? "answer '" + c.get(5) + "' is not A, B, C or D"
                  : "expected 6 cells (question, A, B, C, D, answer A-D), got " + c.size()));
          continue;
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("question", c.get(0));
        // the harness' doc_to_text writes {{question.strip()}}
        f.put("question_strip", PyStrings.strip(c.get(0)));
        for (int i = 0; i < 4; i++) {
          f.put("choice" + i, c.get(i + 1));
        }
        f.put("choice_count", "4");
        f.put("gold", Integer.toString(gold));
        f.put("subject", subject);
        f.put("subject_name", subject.replace('_', ' '));
        docs.add(new Doc(subject + "/" + index++, f, file + ":" + row.line()));
      }
    }
    return new LoadedDataset(docs, errors);
  }
}

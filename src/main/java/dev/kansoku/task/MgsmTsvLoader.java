package dev.kansoku.task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MGSM's published test file ({@code mgsm_<lang>.tsv}: question TAB numeric answer, no header). Fields:
 * question, answer_number (as written, e.g. "18"), answer (empty: the test split has no worked answer),
 * question_text (question without "問題：", as the JP harness' doc_to_text takes it), answer_text.
 */
public final class MgsmTsvLoader implements DatasetLoader {
  @Override
  public LoadedDataset load(Path file, Selection selection) throws IOException {
    List<String> lines = Files.readAllLines(file, selection.charset());
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isEmpty()) {
        continue;
      }
      String[] cols = line.split("\t", -1);
      if (cols.length != 2 || cols[0].isBlank() || !cols[1].strip().matches("-?[0-9,]+(\\.[0-9]+)?")) {
        errors.add(new LoadedDataset.RowError(file.toString(), i + 1, "expected 'question<TAB>number', got " + cols.length + " columns"));
        continue;
      }
      Map<String, String> f = new LinkedHashMap<>();
      f.put("question", cols[0]);
      // the published TSV writes thousands with commas ("2,125"); the harness compares integers
      f.put("answer_number", cols[1].strip().replace(",", ""));
      f.put("answer", "");
      // the harness' doc_to_text / doc_to_target strip these markers before re-adding their own
      f.put("question_text", cols[0].replace("問題：", ""));
      f.put("answer_text", "");
      docs.add(new Doc(String.valueOf(docs.size()), f, file + ":" + (i + 1)));
    }
    return new LoadedDataset(docs, errors);
  }
}

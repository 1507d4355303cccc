package dev.kansoku.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenBookQA as AI2 publishes it ({@code Data/Main/*.jsonl}): {@code id}, {@code question.stem},
 * {@code question.choices[]} ({@code text}, {@code label}) and {@code answerKey}. Fields: question_stem,
 * choice0..n-1, choice_count and gold = the index of {@code answerKey.lstrip()} among the labels (the
 * harness' {@code choices.label.index(answerKey.lstrip())}).
 */
public final class OpenBookQaLoader implements DatasetLoader {
  @Override
  public LoadedDataset load(Path file, Selection selection) throws IOException {
    LoadedDataset raw = new JsonLinesLoader().load(file, selection);
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>(raw.errors());
    for (Doc d : raw.docs()) {
      try {
        JsonNode q = JsonRecords.JSON.readTree(d.get("question"));
        JsonNode choices = q.path("choices");
        String key = d.get("answerKey").stripLeading();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("id", d.get("id"));
        f.put("question_stem", q.path("stem").asText());
        int gold = -1;
        for (int i = 0; i < choices.size(); i++) {
          f.put("choice" + i, choices.get(i).path("text").asText());
          if (choices.get(i).path("label").asText().equals(key)) {
            gold = gold < 0 ? i : gold;
          }
        }
        if (!q.hasNonNull("stem") || choices.size() < 2 || gold < 0) {
          errors.add(rowError(d, "needs question.stem, at least 2 choices and an answerKey among their labels"));
          continue;
        }
        f.put("choice_count", Integer.toString(choices.size()));
        f.put("gold", Integer.toString(gold));
        docs.add(new Doc(d.id(), f, d.source()));
      } catch (IOException | DatasetFormatException e) {
        errors.add(rowError(d, e.getMessage()));
      }
    }
    return new LoadedDataset(docs, errors);
  }

  static LoadedDataset.RowError rowError(Doc d, String problem) {
    int colon = d.source().lastIndexOf(':');
    long line = colon < 0 ? 0 : Long.parseLong(d.source().substring(colon + 1));
    return new LoadedDataset.RowError(colon < 0 ? d.source() : d.source().substring(0, colon), line, problem);
  }
}

package dev.kansoku.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
    return JsonLinesLoader.convertRecords(file, selection, d -> {
      JsonNode q = JsonRecords.JSON.readTree(d.get("question"));
      JsonNode choices = q.path("choices");
      String key = d.get("answerKey").stripLeading();
      Map<String, String> f = new LinkedHashMap<>();
      f.put("id", d.get("id"));
      f.put("question_stem", q.path("stem").asText());
      int gold = -1;
      for (int i = 0; i < choices.size(); i++) {
        f.put("choice" + i, choices.get(i).path("text").asText());
        if (gold < 0 && choices.get(i).path("label").asText().equals(key)) {
          gold = i;
        }
      }
      if (!q.hasNonNull("stem") || choices.size() < 2 || gold < 0) {
        throw new DatasetFormatException(d.source(), "question", "needs question.stem, at least 2 choices and an answerKey among their labels");
      }
      f.put("choice_count", Integer.toString(choices.size()));
      f.put("gold", Integer.toString(gold));
      return f;
    });
  }
}

package dev.kansoku.task;

import dev.kansoku.text.Golds;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TriviaQA as the University of Washington publishes it ({@code triviaqa-rc.tar.gz}: {@code qa/*-dev.json},
 * {@code {"Data": [{"Question", "QuestionId", "Answer": {"Value", "Aliases", ...}}]}}), the questions of the
 * harness' {@code rc.nocontext} configuration. Fields: question, question_id, answer (the first alias, as the
 * harness' shots show it) and aliases (all, joined for the exact-match-any metric).
 */
public final class TriviaQaJsonLoader implements DatasetLoader {
  @Override
  public LoadedDataset load(Path file, Selection selection) throws IOException {
    JsonNode data = JsonRecords.readFile(file).path("Data");
    if (!data.isArray()) {
      throw new DatasetFormatException(file.toString(), "Data", "expected TriviaQA JSON with a 'Data' array");
    }
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      JsonNode q = data.get(i);
      JsonNode aliases = q.path("Answer").path("Aliases");
      if (!q.hasNonNull("Question") || !q.hasNonNull("QuestionId") || !aliases.isArray() || aliases.isEmpty()) {
        errors.add(new LoadedDataset.RowError(file.toString(), 0, "Data[" + i + "]: needs Question, QuestionId and Answer.Aliases"));
        continue;
      }
      List<String> all = new ArrayList<>();
      aliases.forEach(a -> all.add(a.asText()));
      Map<String, String> f = new LinkedHashMap<>();
      f.put("question", q.get("Question").asText());
      f.put("question_id", q.get("QuestionId").asText());
      f.put("answer", all.get(0));
      f.put("aliases", Golds.join(all));
      docs.add(new Doc(q.get("QuestionId").asText(), f, file + "#Data[" + i + "]"));
    }
    return new LoadedDataset(docs, errors);
  }
}

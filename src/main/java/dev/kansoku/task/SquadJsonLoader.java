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
 * SQuAD-format JSON ({@code data[].paragraphs[].qas[]}, as JGLUE's JSQuAD and SQuAD 2.0 publish it), one
 * example per question: {@code id}, {@code title}, {@code context}, {@code question}, {@code answer} (the
 * first answer's text, as llm-jp-eval takes it; empty for unanswerable questions), {@code is_impossible},
 * {@code answers} (all answer texts) and {@code answer_or_unanswerable}.
 * A question without an id, a question or (when answerable) an answer is reported with its position.
 */
public final class SquadJsonLoader implements DatasetLoader {
  @Override
  public LoadedDataset load(Path file, Selection selection) throws IOException {
    JsonNode root = JsonRecords.readFile(file);
    if (root == null || !root.path("data").isArray()) {
      throw new DatasetFormatException(file.toString(), "data", "expected SQuAD JSON with a 'data' array");
    }
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    JsonNode data = root.get("data");
    for (int a = 0; a < data.size(); a++) {
      JsonNode article = data.get(a);
      JsonNode paragraphs = article.path("paragraphs");
      for (int p = 0; p < paragraphs.size(); p++) {
        JsonNode para = paragraphs.get(p);
        JsonNode qas = para.path("qas");
        for (int q = 0; q < qas.size(); q++) {
          JsonNode qa = qas.get(q);
          String where = "data[" + a + "].paragraphs[" + p + "].qas[" + q + "]";
          boolean impossible = qa.path("is_impossible").asBoolean(false);
          JsonNode answers = qa.path("answers");
          if (!qa.hasNonNull("id") || !qa.hasNonNull("question") || !para.hasNonNull("context")
              || (!impossible && (!answers.isArray() || answers.isEmpty()))) {
            errors.add(new LoadedDataset.RowError(file.toString(), 0, where + ": needs id, question, context and an answer"));
            continue;
          }
          Map<String, String> fields = new LinkedHashMap<>();
          fields.put("id", qa.get("id").asText());
          fields.put("title", article.path("title").asText(""));
          fields.put("context", para.get("context").asText());
          fields.put("question", qa.get("question").asText());
          fields.put("answer", answers.isArray() && !answers.isEmpty() ? answers.get(0).path("text").asText("") : "");
          fields.put("is_impossible", Boolean.toString(impossible));
          List<String> texts = new ArrayList<>();
          if (answers.isArray()) {
            answers.forEach(x -> texts.add(x.path("text").asText("")));
          }
          // every annotator's answer (SQuAD scores the best match); none for an unanswerable question
          fields.put("answers", Golds.join(texts));
          // lm-evaluation-harness' SQuAD 2.0 target: the first answer, or "unanswerable"
          fields.put("answer_or_unanswerable", texts.isEmpty() ? "unanswerable" : texts.get(0));
          docs.add(new Doc(qa.get("id").asText(), fields, file + "#" + where));
        }
      }
    }
    return new LoadedDataset(docs, errors);
  }
}

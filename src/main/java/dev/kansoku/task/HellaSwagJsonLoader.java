package dev.kansoku.task;

import dev.kansoku.text.PyStrings;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HellaSwag as Zellers et al. publish it ({@code hellaswag_{train,val}.jsonl}: {@code activity_label},
 * {@code ctx_a}, {@code ctx_b}, {@code endings}, {@code label}), processed as lm-evaluation-harness v0.4.2's
 * {@code hellaswag/utils.py}: query = preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize()),
 * each choice = preprocess(ending). Fields: query, choice0..3, choice_count, gold.
 */
public final class HellaSwagJsonLoader implements DatasetLoader {
  @Override
  public LoadedDataset load(Path file, Selection selection) throws IOException {
    return JsonLinesLoader.convertRecords(file, selection, d -> {
      JsonNode endings = JsonRecords.JSON.readTree(d.get("endings"));
      int gold = Integer.parseInt(d.get("label"));
      if (!endings.isArray() || endings.size() < 2 || gold < 0 || gold >= endings.size()) {
        throw new DatasetFormatException(d.source(), "endings", "needs an endings array and a label indexing it");
      }
      String ctx = d.get("ctx_a") + " " + PyStrings.capitalize(d.get("ctx_b"));
      List<String> choices = new ArrayList<>();
      endings.forEach(e -> choices.add(e.asText()));
      return fields(d.get("activity_label") + ": " + ctx, choices, gold);
    });
  }

  static Map<String, String> fields(String rawQuery, List<String> endings, int gold) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("query", preprocess(rawQuery));
    for (int i = 0; i < endings.size(); i++) {
      f.put("choice" + i, preprocess(endings.get(i)));
    }
    f.put("choice_count", Integer.toString(endings.size()));
    f.put("gold", Integer.toString(gold));
    return f;
  }

  /** The harness' {@code preprocess}: strip, " [title]" → ". ", drop bracketed WikiHow artefacts, "  " → " ". */
  static String preprocess(String text) {
    String t = PyStrings.strip(text);
    t = t.replace(" [title]", ". ");
    t = t.replaceAll("\\[.*?\\]", "");
    return t.replace("  ", " ");
  }
}

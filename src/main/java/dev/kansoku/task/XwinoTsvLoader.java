package dev.kansoku.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * XWINO's published {@code dataset.tsv} (yandex-research/crosslingual_winograd): 7 tab-separated columns
 * {@code lang, source, ?, sentence, tokens, pronoun, candidates}. Each row of the selected language becomes
 * the record that lm-evaluation-harness reads from Hugging Face {@code Muennighoff/xwinograd}: {@code sentence}
 * with the pronoun span replaced by {@code _}, {@code option1}, {@code option2} and {@code answer} ("1"/"2").
 * The example id is the row's position among the language's rows.
 */
public final class XwinoTsvLoader implements DatasetLoader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, List<String>> PTB_QUOTES = Map.of(
      "``", List.of("\"", "\u201c"), "''", List.of("\"", "\u201d"), "-LRB-", List.of("("), "-RRB-", List.of(")"));

  @Override
  public LoadedDataset load(Path file, Selection selection) throws IOException {
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, selection.charset())) {
      NumberedLines.forEach(in, (lineNo, line) -> {
        String[] cols = line.split("\t", -1);
        if (cols.length != 7) {
          errors.add(new LoadedDataset.RowError(file.toString(), lineNo, "expected 7 tab-separated columns, found " + cols.length));
          return;
        }
        if (selection.languageFilter() != null && !selection.languageFilter().equals(cols[0])) {
          return;
        }
        try {
          Map<String, String> fields = convert(cols);
          docs.add(new Doc(String.valueOf(docs.size()), fields, file + ":" + lineNo));
        } catch (IOException | RuntimeException e) {
          errors.add(new LoadedDataset.RowError(file.toString(), lineNo, e.getMessage()));
        }
      });
    }
    return new LoadedDataset(docs, errors);
  }

  static Map<String, String> convert(String[] cols) throws IOException {
    String sentence = cols[3];
    JsonNode tokens = JSON.readTree(cols[4]);
    JsonNode pronoun = JSON.readTree(cols[5]);
    JsonNode candidates = JSON.readTree(cols[6]);
    if (!tokens.isArray() || !pronoun.isArray() || pronoun.size() < 2 || !candidates.isArray() || candidates.size() != 2) {
      throw new IllegalArgumentException("tokens, pronoun or candidates column is not in the published shape");
    }
    // character offset of every token, found left to right in the sentence
    int[] starts = new int[tokens.size()];
    int[] lengths = new int[tokens.size()];
    int pos = 0;
    for (int i = 0; i < tokens.size(); i++) {
      String tok = tokens.get(i).asText();
      String matched = tok;
      int at = sentence.indexOf(tok, pos);
      // the tokens are Penn-Treebank style: `` and '' stand for the quotes of the sentence
      for (int a = 0; at < 0 && a < PTB_QUOTES.getOrDefault(tok, List.of()).size(); a++) {
        matched = PTB_QUOTES.get(tok).get(a);
        at = sentence.indexOf(matched, pos);
      }
      if (at < 0) {
        throw new IllegalArgumentException("token " + i + " '" + tok + "' not found in the sentence");
      }
      starts[i] = at;
      lengths[i] = matched.length();
      pos = at + matched.length();
    }
    int first = pronoun.get(1).get(0).asInt();
    int end = pronoun.get(1).get(1).asInt();
    if (first < 0 || end > tokens.size() || first >= end) {
      throw new IllegalArgumentException("pronoun span " + pronoun.get(1) + " is outside the tokens");
    }
    int charStart = starts[first];
    int charEnd = starts[end - 1] + lengths[end - 1];
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("sentence", sentence.substring(0, charStart) + "_" + sentence.substring(charEnd));
    int answer = 0;
    for (int i = 0; i < 2; i++) {
      JsonNode c = candidates.get(i);
      fields.put("option" + (i + 1), c.get(0).asText());
      if (c.size() >= 4 && c.get(3).asBoolean()) {
        answer = i + 1;
      }
    }
    if (answer == 0) {
      throw new IllegalArgumentException("no candidate is flagged correct");
    }
    fields.put("answer", String.valueOf(answer));
    return fields;
  }
}

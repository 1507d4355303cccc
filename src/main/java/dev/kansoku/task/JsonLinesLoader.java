package dev.kansoku.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Lines (one object per line; gzip-compressed when the name ends in {@code .gz}), e.g. JGLUE's
 * {@code *-v1.1.json} or HumanEval's {@code HumanEval.jsonl.gz}. Top-level scalar fields become string
 * fields; the example id is the position of the row in the file (0-based), which is stable and matches the
 * index the reference frameworks iterate by.
 */
public final class JsonLinesLoader implements DatasetLoader {

  @Override
  public LoadedDataset load(Path file, Selection selection) throws IOException {
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    try (java.io.InputStream raw = Files.newInputStream(file);
         java.io.InputStream decoded = file.toString().endsWith(".gz") ? new java.util.zip.GZIPInputStream(raw) : raw;
         BufferedReader in = new BufferedReader(new java.io.InputStreamReader(decoded, StandardCharsets.UTF_8))) {
      NumberedLines.forEach(in, (lineNo, line) -> {
        JsonNode node;
        try {
          node = JsonRecords.JSON.readTree(line);
        } catch (IOException e) {
          errors.add(new LoadedDataset.RowError(file.toString(), lineNo, "not valid JSON: " + e.getMessage().lines().findFirst().orElse("")));
          return;
        }
        if (node == null || !node.isObject()) {
          errors.add(new LoadedDataset.RowError(file.toString(), lineNo, "expected a JSON object"));
          return;
        }
        docs.add(new Doc(String.valueOf(docs.size()), JsonRecords.fields(node), file + ":" + lineNo));
      });
    }
    return new LoadedDataset(docs, errors);
  }

  /** Turns one JSON Lines record into an example's fields; throws {@link DatasetFormatException} for a bad row. */
  @FunctionalInterface
  interface RecordConverter {
    java.util.Map<String, String> convert(Doc record) throws IOException;
  }

  /**
   * Reads a JSON Lines file and converts every record (OpenBookQA, HellaSwag): a record the converter rejects
   * becomes a row error naming its file and line; the others keep their position as id.
   */
  static LoadedDataset convertRecords(Path file, Selection selection, RecordConverter converter) throws IOException {
    LoadedDataset raw = new JsonLinesLoader().load(file, selection);
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>(raw.errors());
    for (Doc d : raw.docs()) {
      try {
        docs.add(new Doc(d.id(), converter.convert(d), d.source()));
      } catch (IOException | NumberFormatException | DatasetFormatException e) {
        int colon = d.source().lastIndexOf(':');
        errors.add(new LoadedDataset.RowError(d.source().substring(0, colon), Long.parseLong(d.source().substring(colon + 1)),
            e instanceof DatasetFormatException f ? f.field() + ": " + e.getMessage().substring(e.getMessage().lastIndexOf(": ") + 2) : e.getMessage()));
      }
    }
    return new LoadedDataset(docs, errors);
  }
}

package dev.kansoku.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON array of objects (e.g. JEMHopQA's {@code corpus/train.json} and {@code dev.json}). Scalar fields
 * become string fields; the example id is the record's position. A record that is not an object is
 * reported with its index; a file that is not a JSON array is an error naming the file.
 */
public final class JsonArrayLoader implements DatasetLoader {
  @Override
  public LoadedDataset load(Path file, Selection selection) throws IOException {
    JsonNode root = JsonRecords.readFile(file);
    if (root == null || !root.isArray()) {
      throw new DatasetFormatException(file.toString(), "file", "expected a JSON array of records");
    }
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode n = root.get(i);
      if (!n.isObject()) {
        errors.add(new LoadedDataset.RowError(file.toString(), i + 1, "record " + i + " is not a JSON object"));
        continue;
      }
      docs.add(new Doc(String.valueOf(docs.size()), JsonRecords.fields(n), file + "#" + i));
    }
    return new LoadedDataset(docs, errors);
  }
}

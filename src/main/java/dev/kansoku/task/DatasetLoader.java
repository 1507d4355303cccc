package dev.kansoku.task;

import java.io.IOException;
import java.nio.file.Path;

/** Reads one benchmark file in its published format. Malformed rows are reported, not fatal. */
public interface DatasetLoader {
  LoadedDataset load(Path file, String languageFilter) throws IOException;

  /** The loader for a {@code task.dataset.format} value. */
  static DatasetLoader forFormat(String format) {
    return switch (format) {
      case "xwino-tsv" -> new XwinoTsvLoader();
      case "jsonl" -> new JsonLinesLoader();
      case "json-array" -> new JsonArrayLoader();
      case "niilc-xml" -> new NiilcXmlLoader();
      case "squad-json" -> new SquadJsonLoader();
      default -> throw new IllegalArgumentException("unknown dataset format '" + format + "' (known: xwino-tsv, jsonl, json-array, niilc-xml, squad-json)");
    };
  }
}

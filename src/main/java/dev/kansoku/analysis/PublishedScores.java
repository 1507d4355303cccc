package dev.kansoku.analysis;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The published leaderboard scores ({@code model_id, model_name, task, language, score, source}), mapped
 * onto canonical task ids. Bad rows (unknown task, non-numeric or out-of-range score, a model × task given
 * twice) are reported with file and line and skipped; the rest is used.
 */
public final class PublishedScores {
  /** Scores read and the problems met. */
  public record Loaded(List<ScoreCell> cells, List<String> problems) {}

  private PublishedScores() {}

  public static Loaded load(Path csv) throws IOException {
    if (!Files.isRegularFile(csv)) {
      throw new IOException(csv + ": published scores file does not exist");
    }
    List<ScoreCell> cells = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Map<String, Long> seen = new HashMap<>();
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
    try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8); CSVParser parser = CSVParser.parse(in, format)) {
      for (String column : List.of("model_id", "task", "score")) {
        if (!parser.getHeaderMap().containsKey(column)) {
          throw new IOException(csv + ": header has no column '" + column + "'");
        }
      }
      for (CSVRecord r : parser) {
        String where = csv + ":" + (r.getRecordNumber() + 1);
        String model = r.get("model_id").trim();
        String taskName = r.get("task").trim();
        var task = TaskCatalog.byLeaderboardName(taskName).or(() -> TaskCatalog.byId(taskName));
        if (task.isEmpty()) {
          problems.add(where + ": task '" + taskName + "' is not one of the suite's tasks; row skipped");
          continue;
        }
        double value;
        try {
          value = Double.parseDouble(r.get("score").trim());
        } catch (NumberFormatException e) {
          problems.add(where + ": score '" + r.get("score") + "' of " + model + " / " + taskName + " is not a number; cell left missing");
          continue;
        }
        if (!(value >= 0 && value <= 1)) {
          problems.add(where + ": score " + value + " of " + model + " / " + taskName + " is outside [0, 1]; cell left missing");
          continue;
        }
        String key = model + "\u0000" + task.get().id();
        Long previous = seen.putIfAbsent(key, r.getRecordNumber() + 1);
        if (previous != null) {
          problems.add(where + ": duplicate score for " + model + " / " + taskName + " (first at line " + previous + "); the first is kept");
          continue;
        }
        cells.add(new ScoreCell(model, task.get().id(), value, "published"));
      }
    }
    return new Loaded(cells, problems);
  }
}

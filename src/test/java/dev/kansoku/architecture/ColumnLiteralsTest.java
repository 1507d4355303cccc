package dev.kansoku.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.results.TableKeys;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Spark layer names the result tables' key columns (the compound ones: model_id, request_id, …) only through the codecs ({@code col(RequestRow.MODEL_ID)}):
 * a literal {@code "model_id"} outside them is a column the codec test cannot see. Files whose literal names a
 * field of another format (not a table column) are listed with the reason.
 */
class ColumnLiteralsTest {
  private static final Path MAIN = Path.of("src/main/java/dev/kansoku");
  private static final List<String> SPARK_LAYER = List.of("results", "plan", "infer", "score", "pipeline", "analysis", "cli");
  private static final Map<String, String> OTHER_FORMATS = Map.of(
      "analysis/PublishedScores.java", "the published scores CSV's header (data/published/*.csv), not a table");

  @Test
  void keyColumnsAreNamedOnlyByTheCodecs() throws Exception {
    List<String> keys = new ArrayList<>();
    for (Field f : TableKeys.class.getFields()) {
      String column = (String) f.get(null);
      // the compound names: single words (metric, value, n) are also console headers and JSON keys
      if (column.contains("_")) {
        keys.add(column);
      }
    }
    assertTrue(keys.contains("model_id") && keys.size() >= 9, keys.toString());
    Pattern literal = Pattern.compile("\"(" + String.join("|", keys) + ")\"");
    List<String> found = new ArrayList<>();
    for (String pkg : SPARK_LAYER) {
      try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          String relative = MAIN.relativize(f).toString();
          if (isCodec(f) || OTHER_FORMATS.containsKey(relative)) {
            continue;
          }
          found.addAll(literals(f, relative, literal));
        }
      }
    }
    assertEquals(List.of(), found, "column names spelled outside their codec");
  }

  @Test
  void theCheckFindsALiteral() throws Exception {
    Path f = Files.createTempFile("Probe", ".java");
    Files.writeString(f, "class Probe { Object c = col(\"task_id\"); }\n");
    assertEquals(List.of("Probe.java:1: \"task_id\""), literals(f, "Probe.java", Pattern.compile("\"(task_id)\"")));
  }

  private static boolean isCodec(Path f) throws IOException {
    return Files.readString(f).contains("implements TableRow") || f.getFileName().toString().equals("TableKeys.java");
  }

  private static List<String> literals(Path f, String name, Pattern literal) throws IOException {
    List<String> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(f);
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = literal.matcher(lines.get(i));
      while (m.find()) {
        out.add(name + ":" + (i + 1) + ": " + m.group());
      }
    }
    return out;
  }
}

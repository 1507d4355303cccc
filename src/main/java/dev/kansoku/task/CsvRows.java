package dev.kansoku.task;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Header-less CSV as Python's {@code csv.reader} reads it (RFC 4180 quoting, {@code utf-8-sig}: a leading
 * byte-order mark is dropped). Each row keeps its 1-based line number for error messages.
 *
 * <p>{@code universalNewlines}: the file is read as Python reads a file opened in text mode without
 * {@code newline=''} (llm-jp-eval's JMMLU loader): {@code \r\n} and a lone {@code \r} become {@code \n} before the
 * CSV parser sees them, also inside quoted fields.
 */
final class CsvRows {
  record Row(long line, List<String> cells) {}

  private CsvRows() {}

  static List<Row> read(Path file, boolean universalNewlines) throws IOException {
    return read(file, universalNewlines, StandardCharsets.UTF_8);
  }

  static List<Row> read(Path file, boolean universalNewlines, java.nio.charset.Charset charset) throws IOException {
    String text = Files.readString(file, charset);
    if (universalNewlines) {
      text = text.replace("\r\n", "\n").replace('\r', '\n');
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<Row> rows = new ArrayList<>();
    try (Reader in = new java.io.StringReader(text);
         CSVParser parser = CSVFormat.RFC4180.builder().build().parse(in)) {
      for (CSVRecord r : parser) {
        List<String> cells = new ArrayList<>();
        r.forEach(cells::add);
        rows.add(new Row(r.getParser().getCurrentLineNumber(), cells));
      }
    } catch (java.io.UncheckedIOException | IllegalStateException e) {
      // Commons CSV notices an unclosed quote at the end of the file; its message names the line the quoted
      // field started on, which is where the user has to look
      String msg = String.valueOf(e.getMessage());
      java.util.regex.Matcher start = java.util.regex.Pattern.compile("\\(startline (\\d+)\\)").matcher(msg);
      if (start.find() && msg.contains("EOF reached before encapsulated token finished")) {
        throw new DatasetFormatException(file + ":" + start.group(1), "quote",
            "a quoted field opens on this line and is never closed (unbalanced \")");
      }
      java.util.regex.Matcher at = java.util.regex.Pattern.compile("at line: (\\d+)").matcher(msg);
      if (at.find() && msg.contains("encapsulated token")) {
        throw new DatasetFormatException(file + ":" + at.group(1), "quote",
            "a quoted field is closed and followed by more text before the next comma (stray or unbalanced \")");
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new DatasetFormatException(file.toString(), "file", "not valid CSV: " + String.valueOf(cause.getMessage()));
    }
    return rows;
  }
}

package dev.kansoku.task;

import java.io.BufferedReader;
import java.io.IOException;

/** The non-blank lines of a text file with their 1-based line numbers: what a loader names a bad row by. */
final class NumberedLines {
  private NumberedLines() {}

  /** What a loader does with one line. */
  @FunctionalInterface
  interface LineReader {
    void read(long lineNo, String line) throws IOException;
  }

  /** Hands every non-blank line of {@code in} to {@code reader}, in order. */
  static void forEach(BufferedReader in, LineReader reader) throws IOException {
    String line;
    long lineNo = 0;
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (!line.isBlank()) {
        reader.read(lineNo, line);
      }
    }
  }
}

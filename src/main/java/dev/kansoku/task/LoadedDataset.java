package dev.kansoku.task;

import java.util.List;

/** The usable examples of a dataset file and the rows that could not be read (they go to the errors table). */
public record LoadedDataset(List<Doc> docs, List<RowError> errors) {
  /** A malformed row: file, 1-based line, and what is wrong. */
  public record RowError(String file, long line, String problem) {}
}

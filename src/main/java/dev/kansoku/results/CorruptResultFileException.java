package dev.kansoku.results;

/** A results table file cannot be read: named, with the command that moves it aside. A user error. */
public final class CorruptResultFileException extends IllegalStateException {
  public CorruptResultFileException(String file, String problem, int count, String resultsDir) {
    super("results file " + file + " cannot be read (" + problem + ")" + (count > 1 ? " and " + (count - 1) + " more" : "")
        + "; run 'kansoku repair --results " + resultsDir + "' to move unreadable files to " + ResultFiles.QUARANTINE
        + "/ (the next run recomputes what they held)");
  }
}

package dev.kansoku.results;

/** The results directory cannot be used (a file stands there, or it cannot be written): a user error, one line. */
public final class ResultsDirectoryException extends IllegalStateException {
  ResultsDirectoryException(String resultsDir, String problem) {
    super("kansoku.results-dir " + resultsDir + ": " + problem);
  }
}

package dev.kansoku.results;

import org.apache.hadoop.fs.Path;

/** Another live run holds the results directory ({@link RunLock}); a user error, not a failure of this run. */
public final class RunLockedException extends IllegalStateException {
  RunLockedException(Path file, String holder) {
    super("results directory " + file.getParent() + " is in use by " + holder + "; wait for it to finish, or, if it is"
        + " dead, delete " + file);
  }
}

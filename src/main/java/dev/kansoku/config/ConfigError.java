package dev.kansoku.config;

/**
 * A configuration problem, reported on one line as {@code file:line: key: problem} so that the user can go
 * straight to the offending setting.
 */
public class ConfigError extends RuntimeException {
  public ConfigError(String where, String key, String problem) {
    super(where + ": " + key + ": " + problem);
  }
}

package dev.kansoku.inference;

import java.nio.file.Path;

/** A model file that cannot be used, naming the file and the key (tensor or config field) at fault. */
public class ModelFormatException extends RuntimeException {
  private final transient Path file;
  private final String key;

  public ModelFormatException(Path file, String key, String problem) {
    super(file + ": " + key + ": " + problem);
    this.file = file;
    this.key = key;
  }

  public Path file() {
    return file;
  }

  public String key() {
    return key;
  }
}

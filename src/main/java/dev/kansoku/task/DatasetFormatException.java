package dev.kansoku.task;

/** A dataset row that cannot be used, naming the file and line (or record) and the field at fault. */
public class DatasetFormatException extends RuntimeException {
  private final String where;
  private final String field;

  public DatasetFormatException(String where, String field, String problem) {
    super(where + ": " + field + ": " + problem);
    this.where = where;
    this.field = field;
  }

  public String where() {
    return where;
  }

  public String field() {
    return field;
  }
}

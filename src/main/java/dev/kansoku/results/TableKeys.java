package dev.kansoku.results;

/**
 * Names of the columns that several result tables share (the keys that join them). Each table's codec
 * ({@link TableRow}) inherits these and adds its own, so a column name is spelled once in the code base and a
 * Spark expression names it as {@code col(ResponseRow.MODEL_ID)}.
 */
public interface TableKeys {
  String MODEL_ID = "model_id";
  String TASK_ID = "task_id";
  String TASK_VERSION = "task_version";
  String MODEL_REVISION = "model_revision";
  String REQUEST_ID = "request_id";
  String EXAMPLE_ID = "example_id";
  String CHOICE_INDEX = "choice_index";
  String REQUEST_KIND = "request_kind";
  String GOLD = "gold";
  String SUBSET = "subset";
  String SCORE_SET = "score_set";
  String METRIC = "metric";
  String VALUE = "value";
  String N = "n";
  String COMPUTED_AT = "computed_at";
  String COMPLETE = "complete";
}

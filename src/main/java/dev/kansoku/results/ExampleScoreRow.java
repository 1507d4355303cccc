package dev.kansoku.results;

import java.io.Serializable;
import org.apache.spark.sql.Row;

/**
 * A row of {@code example_scores}: one metric's value for one example (one sample of it, for pass@k), in the
 * score set the run computed it for.
 */
public record ExampleScoreRow(String taskVersion, String exampleId, int sampleIndex, String metric, double value, String
    prediction, String gold, String detail, String subset, String modelId, String taskId, String scoreSet) implements TableRow,
    Serializable {

  public static ExampleScoreRow from(Row r) {
    return TableRow.read(r, ExampleScoreRow.class);
  }

  @Override
  public String table() {
    return TableSchemas.EXAMPLE_SCORES;
  }
}

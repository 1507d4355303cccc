package dev.kansoku.score;

import dev.kansoku.config.SandboxSettings;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.metric.Metrics;
import dev.kansoku.results.RequestRow;
import dev.kansoku.results.ResponseRow;
import dev.kansoku.sandbox.CodeExecutionScorer;
import dev.kansoku.sandbox.ExecutionResult;
import dev.kansoku.sandbox.HumanEvalProblem;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The execute stage, on executors: answered samples of code tasks are composed into programs (prompt +
 * completion cut at the stop words + reference) and run in fresh sandboxes, {@code sandbox.parallelism} at
 * a time within the task; each row leaves with whether it passed and the sandbox's account. Rows of other
 * tasks pass through untouched.
 */
public final class ExecuteCodeSamples implements MapPartitionsFunction<Row, Row> {
  static final String PASSED = "execution_passed";
  static final String EXECUTION = "execution_detail";
  private final Map<String, TaskSpec> tasks;
  private final SandboxSettings sandbox;
  private final StructType outputSchema;

  public ExecuteCodeSamples(Map<String, TaskSpec> tasks, SandboxSettings sandbox, StructType inputSchema) {
    this.tasks = Map.copyOf(tasks);
    this.sandbox = sandbox;
    this.outputSchema = schema(inputSchema);
  }

  public static StructType schema(StructType input) {
    return input.add(PASSED, DataTypes.BooleanType, true).add(EXECUTION, DataTypes.StringType, true);
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    int chunk = Math.max(1, sandbox.parallelism()) * 4;
    return new Iterator<>() {
      private CodeExecutionScorer scorer;
      private Iterator<Row> ready = List.<Row>of().iterator();

      @Override
      public boolean hasNext() {
        while (!ready.hasNext() && input.hasNext()) {
          List<Row> rows = new ArrayList<>();
          while (rows.size() < chunk && input.hasNext()) {
            rows.add(input.next());
          }
          ready = execute(rows).iterator();
        }
        return ready.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.next();
      }

      private List<Row> execute(List<Row> rows) {
        List<Integer> code = new ArrayList<>();
        List<String> programs = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
          Row r = rows.get(i);
          TaskSpec t = tasks.get(r.<String>getAs(RequestRow.TASK_ID));
          if (t != null && Metrics.executesCode(t.metrics()) && r.getAs(ScoreStage.ANSWERED) != null) {
            String generated = r.getAs(ResponseRow.GENERATED_TEXT);
            code.add(i);
            programs.add(r.<String>getAs(RequestRow.CONTEXT) + HumanEvalProblem.stopAtStopWord(generated == null ? "" : generated)
                + "\n" + r.<String>getAs(RequestRow.GOLD));
          }
        }
        List<ExecutionResult> results = List.of();
        if (!programs.isEmpty()) {
          if (scorer == null) {
            scorer = new CodeExecutionScorer(sandbox);
          }
          results = scorer.runAll(programs);
        }
        List<Row> out = new ArrayList<>(rows.size());
        int k = 0;
        for (int i = 0; i < rows.size(); i++) {
          Boolean passed = null;
          String detail = null;
          if (k < code.size() && code.get(k) == i) {
            ExecutionResult r = results.get(k++);
            passed = r.passed();
            detail = r.outcome().label() + (r.detail().isEmpty() ? "" : ": " + r.detail());
          }
          Object[] values = new Object[rows.get(i).size() + 2];
          for (int c = 0; c < rows.get(i).size(); c++) {
            values[c] = rows.get(i).get(c);
          }
          values[values.length - 2] = passed;
          values[values.length - 1] = detail;
          // rows keep their schema: the score stage reads fields by name
          out.add(new GenericRowWithSchema(values, outputSchema));
        }
        return out;
      }
    };
  }
}

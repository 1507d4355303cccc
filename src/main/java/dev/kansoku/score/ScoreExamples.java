package dev.kansoku.score;

import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.inference.Backends;
import dev.kansoku.inference.TextTokenizer;
import dev.kansoku.metric.ChoiceResponse;
import dev.kansoku.metric.ExampleScore;
import dev.kansoku.metric.ExampleScorer;
import dev.kansoku.results.ExampleScoreRow;
import dev.kansoku.results.ModelTask;
import dev.kansoku.results.RequestRow;
import dev.kansoku.results.ResponseRow;
import dev.kansoku.storage.ClusterHadoop;
import dev.kansoku.storage.ModelStaging;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.sql.Row;

/**
 * The score stage for one example: all of its (request ⋈ response) rows in, one row per metric out. An
 * example whose choices are not all answered yet is skipped; the next run scores it.
 */
public final class ScoreExamples implements FlatMapGroupsFunction<String, Row, Row> {
  /** Model tokenizers for model-token metrics, one per model directory and executor JVM (thread-safe). */
  private static final Map<String, TextTokenizer> TOKENIZERS = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, TaskSpec> tasks;
  private final Map<ModelTask, String> scoreSets;
  private final Map<String, ModelSpec> tokenModels;
  private final String modelCacheDir;

  /**
   * @param scoreSets (model, task) key → the run's score set, the partition the example scores go to
   * @param tokenModels model id → its registry entry (tokenizer.json in its directory), for metrics on the model's own
   *     tokens; a directory on shared storage is staged (config and tokenizer only) into {@code modelCacheDir}
   */
  public ScoreExamples(Map<String, TaskSpec> tasks, Map<ModelTask, String> scoreSets, Map<String, ModelSpec> tokenModels,
                       String modelCacheDir) {
    this.tasks = Map.copyOf(tasks);
    this.scoreSets = Map.copyOf(scoreSets);
    this.tokenModels = Map.copyOf(tokenModels);
    this.modelCacheDir = modelCacheDir;
  }

  private java.util.function.Function<String, List<String>> pieces(String modelId) {
    ModelSpec spec = tokenModels.get(modelId);
    if (spec == null) {
      return null;
    }
    return text -> TOKENIZERS.computeIfAbsent(spec.path(), d -> {
      try {
        String local = ModelStaging.local(spec, ModelStaging.Kind.METADATA, ClusterHadoop.configuration(), modelCacheDir).path();
        return Backends.of(spec.format()).tokenizer(spec, java.nio.file.Path.of(local));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).pieces(text);
  }

  @Override
  public Iterator<Row> call(String key, Iterator<Row> rows) {
    List<ChoiceResponse> responses = new ArrayList<>();
    Row first = null;
    int expected = 0;
    while (rows.hasNext()) {
      Row r = rows.next();
      first = first == null ? r : first;
      expected = Math.max(expected, r.<Integer>getAs(ScoreStage.EXPECTED_RESPONSES));
      if (r.getAs(ScoreStage.ANSWERED) == null) {
        continue;
      }
      responses.add(new ChoiceResponse(r.getAs(RequestRow.CHOICE_INDEX), r.getAs(ResponseRow.LOGLIKELIHOOD), r.getAs(ResponseRow.IS_GREEDY),
          r.getAs(ResponseRow.GENERATED_TEXT), r.getAs(RequestRow.GOLD), r.getAs(ExecuteCodeSamples.PASSED),
          r.getAs(ExecuteCodeSamples.EXECUTION)));
    }
    if (first == null || responses.size() < expected) {
      return List.<Row>of().iterator();
    }
    RequestRow request = RequestRow.from(first);
    TaskSpec task = tasks.get(request.taskId());
    ExampleScorer scorer = new ExampleScorer(task.metrics(), task.answer(), pieces(request.modelId()));
    String scoreSet = scoreSets.get(new ModelTask(request.modelId(), request.taskId()));
    List<Row> out = new ArrayList<>();
    for (ExampleScore s : scorer.score(responses)) {
      out.add(new ExampleScoreRow(request.taskVersion(), request.exampleId(), s.sampleIndex(), s.metric(), s.value(), s.prediction(),
          s.gold(), s.detail(), request.subset(), request.modelId(), request.taskId(), scoreSet).toRow());
    }
    return out.iterator();
  }
}

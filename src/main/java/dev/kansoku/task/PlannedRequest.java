package dev.kansoku.task;

import dev.kansoku.config.RequestKind;
import java.io.Serializable;
import java.util.List;

/**
 * One request a task needs for one example, before a model is chosen: a log-likelihood of
 * {@code continuation} after {@code context} (one per choice of a multiple-choice example), or a generation
 * from {@code context}. {@code gold} is what scoring compares against; {@code subset} is the example's subject
 * (MMLU, JMMLU, BBH; null for single-subject tasks); neither is part of the request identity. {@code chatMessages}
 * (JSON, {@link ChatMessages}) is the prompt's chat form when the task runs with its models' chat templates: each
 * model's template renders it into that model's context when the request is crossed with the model.
 */
public record PlannedRequest(
    String taskId,
    String taskVersion,
    String exampleId,
    int choiceIndex,
    RequestKind kind,
    String context,
    String continuation,
    int maxNewTokens,
    List<String> stop,
    boolean addSpecialTokens,
    String gold,
    Decoding decoding,
    String subset,
    String chatMessages) implements Serializable {

  /** Greedy (temperature 0) or sampled decoding; the seed is per request, so a sample is reproducible. */
  public record Decoding(double temperature, double topP, int topK, long seed) implements Serializable {
    public static final Decoding GREEDY = new Decoding(0.0, 1.0, 0, 0L);

    public boolean sampled() {
      return temperature > 0;
    }

    public String label() {
      return sampled() ? "sample" : "greedy";
    }
  }

  public PlannedRequest(String taskId, String taskVersion, String exampleId, int choiceIndex, RequestKind kind,
                        String context, String continuation, int maxNewTokens, List<String> stop,
                        boolean addSpecialTokens, String gold) {
    this(taskId, taskVersion, exampleId, choiceIndex, kind, context, continuation, maxNewTokens, stop,
        addSpecialTokens, gold, Decoding.GREEDY, null, null);
  }

  public PlannedRequest(String taskId, String taskVersion, String exampleId, int choiceIndex, RequestKind kind,
                        String context, String continuation, int maxNewTokens, List<String> stop,
                        boolean addSpecialTokens, String gold, Decoding decoding) {
    this(taskId, taskVersion, exampleId, choiceIndex, kind, context, continuation, maxNewTokens, stop,
        addSpecialTokens, gold, decoding, null, null);
  }

  public PlannedRequest withSubset(String subset) {
    return new PlannedRequest(taskId, taskVersion, exampleId, choiceIndex, kind, context, continuation, maxNewTokens,
        stop, addSpecialTokens, gold, decoding, subset, chatMessages);
  }

  public PlannedRequest withChat(String chatMessages) {
    return new PlannedRequest(taskId, taskVersion, exampleId, choiceIndex, kind, context, continuation, maxNewTokens,
        stop, addSpecialTokens, gold, decoding, subset, chatMessages);
  }
}

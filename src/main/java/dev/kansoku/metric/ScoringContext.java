package dev.kansoku.metric;

import dev.kansoku.config.TaskSpec;
import java.util.List;
import java.util.function.Function;

/**
 * What a metric needs besides the responses: the task's answer settings made into objects once per task (the
 * post-processing filter, the exact-match rules, the Japanese segmenter) and, for metrics on the model's own
 * tokens, the model tokenizer's pieces of a text.
 */
public final class ScoringContext {
  private final AnswerPostprocess postprocess;
  private final ExactMatch exactMatch;
  private final JapaneseSegmenter japanese;
  private final Function<String, List<String>> modelPieces;

  public ScoringContext(TaskSpec.Answer answer, Function<String, List<String>> modelPieces) {
    this.postprocess = AnswerPostprocess.named(answer.postprocess());
    this.exactMatch = new ExactMatch(answer.regexesToIgnore(), answer.ignoreCase(), answer.ignorePunctuation());
    this.japanese = answer.japaneseSegmentation() ? JapaneseSegmenter.named(answer.japaneseSegmenter()) : null;
    this.modelPieces = modelPieces;
  }

  public AnswerPostprocess postprocess() {
    return postprocess;
  }

  public ExactMatch exactMatch() {
    return exactMatch;
  }

  /** The task's Japanese segmenter, or null for English text. */
  public JapaneseSegmenter japaneseSegmenter() {
    return japanese;
  }

  /** The model tokenizer's pieces of a text (transformers' {@code tokenize}); fails when the scorer was given none. */
  public List<String> modelPieces(String text, String metric) {
    if (modelPieces == null) {
      throw new IllegalStateException("metric " + metric + " needs the model's tokenizer");
    }
    return modelPieces.apply(text);
  }

  /** The response that carries the generation (generation tasks have one; SQuAD 2.0's is choice 0). */
  public static ChoiceResponse generation(List<ChoiceResponse> responses) {
    return responses.stream().filter(x -> x.generatedText() != null || x.loglikelihood() == null).findFirst().orElse(responses.get(0));
  }

  /** The post-processed prediction of a generation. */
  public String prediction(ChoiceResponse r) {
    return postprocess.prediction(r.generatedText() == null ? "" : r.generatedText());
  }
}

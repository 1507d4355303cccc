package dev.kansoku.metric;

import dev.kansoku.config.TaskSpec;
import dev.kansoku.text.Golds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Per-example metrics, engine-neutral (no Spark). {@code acc}: lm-evaluation-harness' multiple-choice
 * accuracy, the argmax of the choices' log-likelihoods (first index on ties, as numpy's argmax) equals the
 * gold index. {@code exact_match}: the extracted prediction equals a gold answer under the task's
 * {@link ExactMatch} rules. {@code char_f1}: llm-jp-eval's. {@code bleu}: the segment's sufficient statistics
 * (the task score is corpus BLEU over them, see {@link CorpusMetrics}). {@code rouge2}: ROUGE-2 F.
 * {@code exact} / {@code f1}: SQuAD 2.0. {@code pass@1}: from executed samples.
 */
public final class ExampleScorer {
  public static final Set<String> KNOWN_METRICS = Set.of("acc", "exact_match", "char_f1", "pass@1", "bleu", "rouge2", "rouge2_jp_harness",
      "exact", "f1");
  /** Metrics scored on the model's own token pieces (they need the model's tokenizer). */
  public static final Set<String> MODEL_TOKEN_METRICS = Set.of("rouge2_jp_harness");

  private final List<String> metrics;
  private final TaskSpec.Answer answer;
  private final AnswerPostprocess postprocess;
  private final ExactMatch exactMatch;
  private final java.util.function.Function<String, List<String>> modelPieces;

  public ExampleScorer(List<String> metrics, TaskSpec.Answer answer) {
    this(metrics, answer, null);
  }

  /** @param modelPieces the model tokenizer's pieces of a text (transformers' {@code tokenize}), for model-token metrics */
  public ExampleScorer(List<String> metrics, TaskSpec.Answer answer, java.util.function.Function<String, List<String>> modelPieces) {
    for (String m : metrics) {
      if (!KNOWN_METRICS.contains(m)) {
        throw new IllegalArgumentException("unknown metric '" + m + "' (known: " + String.join(", ", new java.util.TreeSet<>(KNOWN_METRICS)) + ")");
      }
    }
    this.metrics = List.copyOf(metrics);
    this.answer = answer;
    this.postprocess = AnswerPostprocess.named(answer.postprocess());
    this.exactMatch = new ExactMatch(answer.regexesToIgnore(), answer.ignoreCase(), answer.ignorePunctuation());
    this.modelPieces = modelPieces;
  }

  /** Whether scoring runs model-written code (and so needs a sandbox). */
  public static boolean executesCode(List<String> metrics) {
    return metrics.stream().anyMatch(m -> m.startsWith("pass@"));
  }

  /** Scores one example from all of its responses (one per choice, or one generation). */
  public List<ExampleScore> score(List<ChoiceResponse> responses) {
    List<ExampleScore> out = new ArrayList<>();
    for (String metric : metrics) {
      switch (metric) {
        case "acc" -> out.add(accuracy(responses));
        case "exact_match" -> out.add(exactMatch(responses));
        case "char_f1" -> out.add(charF1(responses));
        case "pass@1" -> out.addAll(passAtOne(responses));
        case "bleu" -> out.add(bleu(responses));
        case "rouge2" -> out.add(rouge2(responses));
        case "rouge2_jp_harness" -> out.add(rouge2OnModelTokens(responses));
        case "exact", "f1" -> out.add(squad(responses, metric));
        default -> throw new IllegalStateException(metric);
      }
    }
    return out;
  }

  private static ExampleScore accuracy(List<ChoiceResponse> responses) {
    List<ChoiceResponse> sorted = new ArrayList<>(responses);
    sorted.sort(Comparator.comparingInt(ChoiceResponse::choiceIndex));
    int best = 0;
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).loglikelihood() > sorted.get(best).loglikelihood()) {
        best = i;
      }
    }
    String gold = sorted.get(0).gold();
    int predicted = sorted.get(best).choiceIndex();
    return new ExampleScore("acc", Integer.toString(predicted).equals(gold) ? 1.0 : 0.0, Integer.toString(predicted), gold);
  }

  /**
   * pass@1 from executed samples (the pipeline runs them in the sandbox first): one "passed" row per
   * sample with the sandbox's account, and the example's unbiased pass@1 estimate.
   */
  private static List<ExampleScore> passAtOne(List<ChoiceResponse> responses) {
    List<ChoiceResponse> samples = new ArrayList<>(responses);
    samples.sort(Comparator.comparingInt(ChoiceResponse::choiceIndex));
    List<ExampleScore> out = new ArrayList<>();
    int passed = 0;
    for (ChoiceResponse r : samples) {
      if (r.executionPassed() == null) {
        throw new IllegalStateException("pass@1 needs the sample's execution outcome (sample " + r.choiceIndex() + ")");
      }
      passed += r.executionPassed() ? 1 : 0;
      String completion = dev.kansoku.sandbox.HumanEvalProblem.stopAtStopWord(r.generatedText() == null ? "" : r.generatedText());
      out.add(new ExampleScore("passed", r.choiceIndex(), r.executionPassed() ? 1.0 : 0.0, completion, null, r.executionDetail()));
    }
    out.add(new ExampleScore("pass@1", -1, dev.kansoku.sandbox.PassAtK.estimate(samples.size(), passed, 1),
        passed + "/" + samples.size() + " samples passed", null, null));
    return out;
  }

  /** llm-jp-eval's char_f1 (fuzzywuzzy token_sort_ratio / 100) of the post-processed prediction and gold. */
  private ExampleScore charF1(List<ChoiceResponse> responses) {
    ChoiceResponse r = generation(responses);
    String prediction = prediction(r);
    String gold = postprocess.gold(r.gold());
    return new ExampleScore("char_f1", CharF1.score(prediction, gold), prediction, gold);
  }

  private ExampleScore exactMatch(List<ChoiceResponse> responses) {
    ChoiceResponse r = generation(responses);
    String prediction = prediction(r);
    List<String> golds = Golds.split(r.gold()).stream().map(postprocess::gold).toList();
    return new ExampleScore("exact_match", exactMatch.matches(prediction, golds) ? 1.0 : 0.0, prediction, r.gold());
  }

  private ExampleScore bleu(List<ChoiceResponse> responses) {
    ChoiceResponse r = generation(responses);
    String prediction = prediction(r);
    Bleu.Stats stats = Bleu.stats(prediction, r.gold(), japaneseSegmenter());
    // the example's own (sentence) BLEU for reading; the task score sums the statistics in detail
    return new ExampleScore("bleu", -1, Bleu.score(stats) / 100.0, prediction, r.gold(), stats.encode());
  }

  private ExampleScore rouge2(List<ChoiceResponse> responses) {
    ChoiceResponse r = generation(responses);
    String prediction = prediction(r);
    return new ExampleScore("rouge2", Rouge2.fmeasure(r.gold(), prediction, japaneseSegmenter()), prediction, r.gold());
  }

  /** ROUGE-2 on the model's token pieces, as the JP harness scores XL-Sum ({@link JpHarnessRouge}). */
  private ExampleScore rouge2OnModelTokens(List<ChoiceResponse> responses) {
    if (modelPieces == null) {
      throw new IllegalStateException("metric rouge2_jp_harness needs the model's tokenizer");
    }
    ChoiceResponse r = generation(responses);
    String prediction = prediction(r);
    return new ExampleScore("rouge2_jp_harness", JpHarnessRouge.fmeasure(modelPieces.apply(r.gold()), modelPieces.apply(prediction)),
        prediction, r.gold());
  }

  /** The task's Japanese segmenter, or null for English text. */
  private JapaneseSegmenter japaneseSegmenter() {
    return answer.japaneseSegmentation() ? JapaneseSegmenter.named(answer.japaneseSegmenter()) : null;
  }

  /** SQuAD 2.0: choice 0 is the generation, choice 1 the log-likelihood of the no-answer continuation. */
  private ExampleScore squad(List<ChoiceResponse> responses, String metric) {
    ChoiceResponse gen = responses.stream().filter(x -> x.choiceIndex() == 0).findFirst().orElseThrow();
    double noAnswer = responses.stream().filter(x -> x.choiceIndex() == 1 && x.loglikelihood() != null)
        .mapToDouble(x -> Math.exp(x.loglikelihood())).findFirst().orElse(0.0);
    String prediction = prediction(gen);
    SquadV2.Score s = SquadV2.score(prediction, Golds.split(gen.gold()), noAnswer);
    return new ExampleScore(metric, -1, "exact".equals(metric) ? s.exact() : s.f1(), prediction, gen.gold(),
        "no-answer probability " + noAnswer);
  }

  private static ChoiceResponse generation(List<ChoiceResponse> responses) {
    return responses.stream().filter(x -> x.generatedText() != null || x.loglikelihood() == null).findFirst().orElse(responses.get(0));
  }

  private String prediction(ChoiceResponse r) {
    return postprocess.prediction(r.generatedText() == null ? "" : r.generatedText());
  }
}

package dev.kansoku.config;

import java.io.Serializable;
import java.util.List;

/**
 * One benchmark as data ({@code conf/tasks/*.conf}): where its examples are, how prompts are built, what
 * kind of request is sent, how answers are read and which metrics score them. {@code version} is part of
 * every request id, so changing a template means changing the version. {@code limit} (0 = none) is the
 * suite's cap on examples for this task.
 */
public record TaskSpec(
    String id,
    String version,
    String language,
    String framework,
    Dataset dataset,
    Prompt prompt,
    Request request,
    Answer answer,
    List<String> metrics,
    int limit,
    String sourceFile,
    Chat chat) implements Serializable {

  /**
   * Instruct-style runs ({@code task.chat-template}): each model's own chat template renders the prompt, as
   * lm-evaluation-harness does with {@code --apply_chat_template}; {@code fewshotAsMultiturn} puts each shot in its
   * own user/assistant turns (the harness' {@code --fewshot_as_multiturn}, its default since 0.4.9), else all
   * shots and the question are one user message; {@code systemInstruction} ({@code --system_instruction}) goes
   * before the task's description in the system message. Off: the plain prompt, as before.
   */
  public record Chat(boolean template, boolean fewshotAsMultiturn, String systemInstruction) implements Serializable {
    public static final Chat OFF = new Chat(false, true, null);
  }

  /** A task without a chat form (tests and tools that build specs by hand). */
  public TaskSpec(String id, String version, String language, String framework, Dataset dataset, Prompt prompt, Request request,
                  Answer answer, List<String> metrics, int limit, String sourceFile) {
    this(id, version, language, framework, dataset, prompt, request, answer, metrics, limit, sourceFile, Chat.OFF);
  }

  /**
   * Dataset files in their published format; {@code fewshotFile} may equal {@code evalFile}.
   * {@code referenceFile}: the aligned reference side of a parallel-text test set. {@code evalSplit} /
   * {@code fewshotSplit}: for formats that derive splits themselves (JMMLU in llm-jp-eval), which one.
   * {@code fewshotFormat}: the few-shot file's own format when it differs (MGSM's exemplars).
   * {@code sourceHint}: where the official file comes from, told when it is missing.
   */
  /**
   * Where a task's examples are and how to read them. Malformed rows fail the run unless {@code skipBadRows}
   * (then they are counted, and kansoku.max-bad-row-share bounds their share of each split);
   * {@code labelField} / {@code labelValues}: the gold field and the values it may take (an out-of-range label
   * is a malformed row); {@code encoding}: the character set of the text formats' files (default UTF-8).
   */
  public record Dataset(String format, String evalFile, String fewshotFile, String languageFilter,
                        String referenceFile, String evalSplit, String fewshotSplit, String fewshotFormat,
                        String sourceHint, boolean skipBadRows, String labelField, List<String> labelValues,
                        String encoding)
      implements Serializable {
    /** Formats whose files may be in another encoding than UTF-8 (JSON is UTF-8 by RFC 8259; XML declares its own). */
    public static final List<String> TEXT_FORMATS = List.of("xwino-tsv", "mmlu-csv", "jmmlu-csv", "hellaswag-text", "mgsm-tsv",
        "parallel-text");
  }

  /**
   * How a prompt is built: a style known to the planner, the number of shots and the shot-sampling seed,
   * templates, delimiters, a description (prefix, templated per example), the multiple-choice labels that
   * replace the choice texts as continuations (MMLU's "A".."D"; empty = the texts), how shots are picked
   * ({@code random}, {@code first-n}), for SQuAD 2.0 the no-answer continuation scored alongside, the
   * gold answer(s) scoring compares against when they differ from the shots' target (null = output-template),
   * and {@code fewshotExtraDraw}: lm-evaluation-harness v0.4.2 draws shots + 1 examples (then drops the
   * evaluated one, keeping at most shots) when a task's few-shot split equals its test split — true for
   * HellaSwag, TriviaQA and SQuAD 2.0, where both are unset (api/samplers.py, ContextSampler.get_context).
   */
  public record Prompt(String style, int shots, long fewshotSeed, String instruction,
                       String inputTemplate, String outputTemplate,
                       String targetDelimiter, String fewshotDelimiter, int samples,
                       String description, List<String> choiceLabels, String fewshotSampler,
                       String noAnswerContinuation, String goldTemplate, boolean fewshotExtraDraw) implements Serializable {}

  /** The request kind and decoding settings; temperature 0 means greedy. */
  public record Request(RequestKind kind, boolean addSpecialTokens, int maxNewTokens, List<String> stop,
                        double temperature, double topP, int topK, long seed) implements Serializable {}

  /**
   * How generated text becomes a prediction and how it is compared: a named extraction filter, then (as the
   * Hugging Face {@code exact_match} metric that lm-evaluation-harness uses) case folding, punctuation
   * removal and regexes removed from both prediction and gold. {@code japaneseSegmentation}: n-gram metrics
   * (BLEU, ROUGE-2) see Japanese words, segmented by {@code japaneseSegmenter} ({@code kuromoji} or
   * {@code mecab}); without it BLEU tokenises with 13a and ROUGE-2 with rouge_score's English tokenizer.
   */
  public record Answer(String postprocess, boolean ignoreCase, boolean ignorePunctuation,
                       List<String> regexesToIgnore, boolean japaneseSegmentation, String japaneseSegmenter)
      implements Serializable {
    /** Segmenter names {@code answer.segmenter} takes ("ja-morphemes" is the older name of kuromoji). */
    public static final List<String> SEGMENTERS = List.of("none", "kuromoji", "mecab", "ja-morphemes");

    public Answer(String postprocess, boolean ignoreCase, boolean ignorePunctuation, List<String> regexesToIgnore,
                  boolean japaneseSegmentation) {
      this(postprocess, ignoreCase, ignorePunctuation, regexesToIgnore, japaneseSegmentation, "kuromoji");
    }

    public static final Answer NONE = new Answer("none", false, false, List.of(), false);
  }
}

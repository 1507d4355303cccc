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
    String answerPostprocess,
    List<String> metrics,
    int limit,
    String sourceFile) implements Serializable {

  /** Dataset files in their published format; {@code fewshotFile} may equal {@code evalFile}. */
  public record Dataset(String format, String evalFile, String fewshotFile, String languageFilter) implements Serializable {}

  /** How a prompt is built: a style known to the planner, the number of shots and the shot-sampling seed. */
  public record Prompt(String style, int shots, long fewshotSeed, String instruction,
                       String inputTemplate, String outputTemplate,
                       String targetDelimiter, String fewshotDelimiter, int samples) implements Serializable {}

  /** The request kind and decoding settings. */
  /** The request kind and decoding settings; temperature 0 means greedy. */
  public record Request(String kind, boolean addSpecialTokens, int maxNewTokens, List<String> stop,
                        double temperature, double topP, int topK, long seed) implements Serializable {}

  public static final String LOGLIKELIHOOD = "loglikelihood";
  public static final String GENERATE_UNTIL = "generate_until";
}

package dev.kansoku.cli;

import dev.kansoku.config.TaskSpec;
import dev.kansoku.metric.MetricLines;
import dev.kansoku.metric.ScoringContext;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kansoku metric NAME --predictions FILE --references FILE}: a corpus score of aligned lines, as
 * sacrebleu's command line does for BLEU, so users can check a number on their own outputs. NAME is looked up in
 * the metric registry ({@link dev.kansoku.metric.Metrics}), and each line pair is scored and aggregated by that metric's own code,
 * the code the score stage runs ({@link MetricLines} turns the lines into its responses).
 */
@Command(name = "metric", mixinStandardHelpOptions = true,
    description = {"Score aligned prediction and reference files (one item per line) with a task metric; prints the corpus score.",
        "Metrics (the names of task.metrics): exact_match, acc (predicted vs gold choice index), char_f1 (llm-jp-eval: fuzzywuzzy",
        "token_sort_ratio / 100), bleu (sacrebleu corpus_bleu defaults, printed on sacrebleu's 0-100 scale; --lang ja segments",
        "Japanese into IPADIC words first: kuromoji then 13a, or with --segmenter mecab sacrebleu's ja-mecab exactly),",
        "rouge2 (ROUGE-2 F, mean over lines: --lang en = rouge_score's default tokenizer, --lang ja = Japanese words of --segmenter),",
        "exact / f1 (SQuAD 2.0, also as squad_exact / squad_f1; an empty reference = unanswerable),",
        "pass@1 (predictions: '<passed> <samples>' per problem; no references; pass@k with --k).",
        "Several gold answers on one reference line are separated by TABs (exact_match, exact, f1)."})
class MetricCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "a metric of task.metrics (exact_match, acc, char_f1, bleu, rouge2, exact, f1, pass@1), "
      + "squad_exact, squad_f1 or pass@k")
  String name;

  @Option(names = "--predictions", required = true, description = "One prediction per line.")
  Path predictions;

  @Option(names = "--references", description = "One reference per line, aligned (not for pass@1).")
  Path references;

  @Option(names = "--lang", defaultValue = "en", description = "Language of bleu and rouge2: ja or en (default: ${DEFAULT-VALUE}).")
  String lang;

  @Option(names = "--segmenter", defaultValue = "kuromoji",
      description = "Japanese segmenter of bleu and rouge2 with --lang ja: kuromoji (pure Java) or mecab (the system's libmecab + IPADIC)"
          + " (default: ${DEFAULT-VALUE}).")
  String segmenter;

  @Option(names = "--k", defaultValue = "1", description = "k of pass@k (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--normalize", defaultValue = "none",
      description = "Answer post-processing of both sides (the task's answer.postprocess): none, llm-jp-eval (NFKC, cut at a blank"
          + " line, strip), remove-whitespace, gsm8k-strict-match, bbh-get-answer, mgsm-number (default: ${DEFAULT-VALUE}).")
  String normalize;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<String> pred = Files.readAllLines(predictions, StandardCharsets.UTF_8);
    PrintWriter out = spec.commandLine().getOut();
    MetricLines lines;
    try {
      lines = MetricLines.of(name, k);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    List<String> ref = null;
    if (lines.needsReferences()) {
      if (references == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--references is required for " + name);
      }
      ref = Files.readAllLines(references, StandardCharsets.UTF_8);
      if (pred.size() != ref.size()) {
        throw new CommandLine.ParameterException(spec.commandLine(), predictions + " has " + pred.size()
            + " lines but " + references + " has " + ref.size());
      }
    }
    if (!List.of("ja", "en").contains(lang)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--lang must be ja or en, not '" + lang + "'");
    }
    ScoringContext context;
    try {
      context = new ScoringContext(new TaskSpec.Answer(normalize, false, false, List.of(), lang.equals("ja"), segmenter), null);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    double score;
    try {
      score = lines.score(new MetricLines.Lines(predictions.toString(), pred),
          ref == null ? null : new MetricLines.Lines(references.toString(), ref), context);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    out.println(lines.label() + ": " + score);
    out.println("n: " + pred.size());
    out.flush();
    return 0;
  }
}

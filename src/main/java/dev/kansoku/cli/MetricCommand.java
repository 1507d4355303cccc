package dev.kansoku.cli;

import dev.kansoku.metric.AnswerPostprocess;
import dev.kansoku.metric.Bleu;
import dev.kansoku.metric.CharF1;
import dev.kansoku.metric.JapaneseSegmenter;
import dev.kansoku.metric.Rouge2;
import dev.kansoku.metric.SquadV2;
import dev.kansoku.sandbox.PassAtK;
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
 * sacrebleu's command line does for BLEU, so users can check a number on their own outputs.
 */
@Command(name = "metric", mixinStandardHelpOptions = true,
    description = {"Score aligned prediction and reference files (one item per line) with a task metric; prints the corpus score.",
        "Metrics: exact_match, acc (predicted vs gold choice index), char_f1 (llm-jp-eval: fuzzywuzzy token_sort_ratio / 100),",
        "bleu (sacrebleu corpus_bleu defaults, printed on sacrebleu's 0-100 scale; --lang ja segments Japanese into IPADIC words first:",
        "kuromoji then 13a, or with --segmenter mecab sacrebleu's ja-mecab exactly),",
        "rouge2 (ROUGE-2 F, mean over lines: --lang en = rouge_score's default tokenizer, --lang ja = Japanese words of --segmenter),",
        "squad_exact / squad_f1 (SQuAD 2.0; an empty reference = unanswerable),",
        "pass@k (predictions: '<passed> <samples>' per problem; no references).",
        "Several gold answers on one reference line are separated by TABs (exact_match, squad_*)."})
class MetricCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "exact_match, acc, char_f1, bleu, rouge2, squad_exact, squad_f1 or pass@k")
  String name;

  @Option(names = "--predictions", required = true, description = "One prediction per line.")
  Path predictions;

  @Option(names = "--references", description = "One reference per line, aligned (not for pass@k).")
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
      description = "Answer post-processing of both sides for exact_match and char_f1: none, llm-jp-eval (NFKC, cut at a blank line, strip),"
          + " remove-whitespace, gsm8k-strict-match, bbh-get-answer, mgsm-number (default: ${DEFAULT-VALUE}).")
  String normalize;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<String> pred = Files.readAllLines(predictions, StandardCharsets.UTF_8);
    PrintWriter out = spec.commandLine().getOut();
    if (name.equals("pass@k")) {
      out.println("pass@" + k + ": " + passAtK(pred));
      out.println("n: " + pred.size());
      out.flush();
      return 0;
    }
    if (references == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--references is required for " + name);
    }
    List<String> ref = Files.readAllLines(references, StandardCharsets.UTF_8);
    if (pred.size() != ref.size()) {
      throw new CommandLine.ParameterException(spec.commandLine(), predictions + " has " + pred.size()
          + " lines but " + references + " has " + ref.size());
    }
    if (!List.of("ja", "en").contains(lang)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--lang must be ja or en, not '" + lang + "'");
    }
    JapaneseSegmenter japanese;
    try {
      japanese = lang.equals("ja") ? JapaneseSegmenter.named(segmenter) : null;
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--segmenter: " + e.getMessage());
    }
    double score;
    if (name.equals("bleu")) {
      score = Bleu.corpus(pred, ref, japanese);
    } else {
      AnswerPostprocess post = AnswerPostprocess.named(normalize);
      double sum = 0;
      for (int i = 0; i < pred.size(); i++) {
        String p = post.prediction(pred.get(i));
        List<String> golds = List.of(ref.get(i).split("\t", -1)).stream().map(post::gold).toList();
        sum += switch (name) {
          case "exact_match", "acc" -> golds.contains(p) ? 1.0 : 0.0;
          case "char_f1" -> CharF1.score(p, golds.get(0));
          case "rouge2" -> Rouge2.fmeasure(ref.get(i), pred.get(i), japanese);
          case "squad_exact" -> SquadV2.score(pred.get(i), golds, 0.0).exact();
          case "squad_f1" -> SquadV2.score(pred.get(i), golds, 0.0).f1();
          default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown metric '" + name
              + "' (exact_match, acc, char_f1, bleu, rouge2, squad_exact, squad_f1, pass@k)");
        };
      }
      score = pred.isEmpty() ? Double.NaN : sum / pred.size();
    }
    out.println(name + ": " + score);
    out.println("n: " + pred.size());
    out.flush();
    return 0;
  }

  private double passAtK(List<String> lines) {
    double sum = 0;
    for (int i = 0; i < lines.size(); i++) {
      String[] f = lines.get(i).trim().split("\\s+");
      if (f.length != 2) {
        throw new CommandLine.ParameterException(spec.commandLine(), predictions + ":" + (i + 1) + ": expected '<passed> <samples>'");
      }
      sum += PassAtK.estimate(Integer.parseInt(f[1]), Integer.parseInt(f[0]), k);
    }
    return lines.isEmpty() ? Double.NaN : sum / lines.size();
  }
}

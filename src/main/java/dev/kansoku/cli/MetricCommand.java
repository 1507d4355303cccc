package dev.kansoku.cli;

import dev.kansoku.metric.AnswerPostprocess;
import dev.kansoku.metric.CharF1;
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
    description = {"Score aligned prediction and reference files (one item per line) with a task metric.",
        "Metrics: exact_match, char_f1 (llm-jp-eval: fuzzywuzzy token_sort_ratio / 100)."})
class MetricCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "exact_match or char_f1")
  String name;

  @Option(names = "--predictions", required = true, description = "One prediction per line.")
  Path predictions;

  @Option(names = "--references", required = true, description = "One reference per line, aligned.")
  Path references;

  @Option(names = "--normalize", defaultValue = "llm-jp-eval",
      description = "Answer post-processing applied to both sides: llm-jp-eval (NFKC, cut at a blank line, strip) or none (default: ${DEFAULT-VALUE}).")
  String normalize;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<String> pred = Files.readAllLines(predictions, StandardCharsets.UTF_8);
    List<String> ref = Files.readAllLines(references, StandardCharsets.UTF_8);
    if (pred.size() != ref.size()) {
      throw new CommandLine.ParameterException(spec.commandLine(), predictions + " has " + pred.size()
          + " lines but " + references + " has " + ref.size());
    }
    AnswerPostprocess post = AnswerPostprocess.named(normalize);
    double sum = 0;
    for (int i = 0; i < pred.size(); i++) {
      String p = post.prediction(pred.get(i));
      String g = post.gold(ref.get(i));
      sum += switch (name) {
        case "exact_match" -> p.equals(g) ? 1.0 : 0.0;
        case "char_f1" -> CharF1.score(p, g);
        default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown metric '" + name + "' (exact_match, char_f1)");
      };
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(name + ": " + (pred.isEmpty() ? Double.NaN : sum / pred.size()));
    out.println("n: " + pred.size());
    out.flush();
    return 0;
  }
}

package dev.kansoku.cli;

import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.LoglikelihoodResult;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kansoku loglik}: one log-likelihood request, printed to full precision. */
@Command(name = "loglik", mixinStandardHelpOptions = true,
    description = "Log-likelihood of a continuation given a context, with lm-evaluation-harness token boundaries.")
class LoglikCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--context", required = true, description = "Context text.")
  String context;

  @Option(names = "--continuation", required = true, description = "Continuation text (include its leading space).")
  String continuation;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (DjlEngine engine = model.load()) {
      LoglikelihoodResult r = engine.loglikelihood(List.of(new LoglikelihoodRequest(context, continuation, model.addSpecialTokens))).get(0);
      // Double.toString prints the shortest decimal that reads back to the same double: full precision
      out.println("loglikelihood: " + r.logLikelihood());
      out.println("is_greedy: " + r.greedy());
      out.println("context_tokens: " + r.contextIds().length);
      out.println("continuation_tokens: " + r.continuationIds().length);
      // cut from the left as lm-evaluation-harness does: (context + continuation)[-(max_length + 1):][:-1]
      out.println("truncated: " + r.truncated());
      if (model.verbose) {
        out.println("context_ids: " + Arrays.toString(r.contextIds()));
        if (r.truncated()) {
          int whole = r.contextIds().length + r.continuationIds().length;
          int from = Math.max(0, whole - (engine.maxLength() + 1));
          out.println("scored_context_ids: " + Arrays.toString(Arrays.copyOfRange(r.contextIds(), Math.min(from, r.contextIds().length),
              r.contextIds().length)));
        }
        out.println("context_tokens_text: " + Arrays.toString(engine.tokenizer().tokens(r.contextIds())));
        out.println("continuation_ids: " + Arrays.toString(r.continuationIds()));
        out.println("continuation_tokens_text: " + Arrays.toString(engine.tokenizer().tokens(r.continuationIds())));
      }
      out.flush();
    }
    return 0;
  }
}

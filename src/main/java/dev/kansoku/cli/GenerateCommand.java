package dev.kansoku.cli;

import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.DjlEngine;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kansoku generate}: greedy generation from one prompt. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Greedy generation until a stop sequence, the end-of-sequence token or --max-new-tokens.")
class GenerateCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--prompt", required = true, description = "Prompt text.")
  String prompt;

  @Option(names = "--max-new-tokens", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
  int maxNewTokens;

  @Option(names = "--stop", description = "Stop sequence (repeatable); Java escapes such as \\n are understood.")
  List<String> stop = new ArrayList<>();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<String> stops = stop.stream().map(String::translateEscapes).toList();
    try (DjlEngine engine = model.load()) {
      GenerationResult r = engine.generate(List.of(new GenerationRequest(prompt, stops, maxNewTokens, model.addSpecialTokens))).get(0);
      out.println("text: " + r.text());
      out.println("finish_reason: " + r.finishReason());
      out.println("prompt_tokens: " + r.promptIds().length);
      out.println("generated_tokens: " + r.generatedIds().length);
      if (model.verbose) {
        out.println("prompt_ids: " + Arrays.toString(r.promptIds()));
        out.println("prompt_tokens_text: " + Arrays.toString(engine.tokenizer().tokens(r.promptIds())));
        out.println("generated_ids: " + Arrays.toString(r.generatedIds()));
        out.println("generated_tokens_text: " + Arrays.toString(engine.tokenizer().tokens(r.generatedIds())));
      }
      out.flush();
    }
    return 0;
  }
}

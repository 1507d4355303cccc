package dev.kansoku.cli;

import dev.kansoku.config.ResolvedRun;
import dev.kansoku.sandbox.ExecutionResult;
import dev.kansoku.sandbox.HumanEvalProblem;
import dev.kansoku.sandbox.PythonSandbox;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kansoku sandbox}: runs one completion exactly as the pipeline would and explains the outcome. */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = {"Run one HumanEval/JHumanEval completion in the sandbox (prompt + completion cut at the",
        "stop words + test + check(entry_point), as bigcode-evaluation-harness composes it)."})
class SandboxCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @Option(names = "--task", required = true, description = "humaneval or jhumaneval.")
  String task;

  @Option(names = "--problem", required = true, description = "Problem id, e.g. HumanEval/0 or 0.")
  String problem;

  @Option(names = "--completion", description = "File with the completion (the text generated after the prompt).")
  Path completion;

  @Option(names = "--canonical", description = "Use the problem's canonical solution as the completion.")
  boolean canonical;

  @Option(names = "--dataset", description = "Problems file (default: the bundled data/benchmarks/<task>/ file).")
  Path dataset;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ResolvedRun run = config.load(Map.of());
    Path file = dataset != null ? dataset : switch (task) {
      case "humaneval" -> Path.of("data/benchmarks/humaneval/HumanEval.jsonl.gz");
      case "jhumaneval" -> Path.of("data/benchmarks/jhumaneval/jhuman-eval.jsonl.gz");
      default -> throw new CommandLine.ParameterException(spec.commandLine(), "--task must be humaneval or jhumaneval");
    };
    Map<String, HumanEvalProblem> problems = HumanEvalProblem.load(file);
    String id = problem.contains("/") ? problem : (task.equals("jhumaneval") ? "JHumanEval/" : "HumanEval/") + problem;
    HumanEvalProblem p = problems.get(id);
    if (p == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no problem " + id + " in " + file);
    }
    if (canonical == (completion != null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --completion FILE or --canonical");
    }
    String text = canonical ? p.canonicalSolution() : Files.readString(completion);
    PythonSandbox sandbox = new PythonSandbox(run.settings().sandbox());
    ExecutionResult r = sandbox.run(p.program(text));
    PrintWriter out = spec.commandLine().getOut();
    out.println("problem: " + p.taskId());
    out.println("outcome: " + r.outcome().label() + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")"));
    out.println("elapsed: " + r.elapsedMs() + " ms");
    out.println("isolation layers in force: " + r.layers());
    String shown = r.output().length() > 2000 ? r.output().substring(0, 2000) + "\n[... truncated]" : r.output();
    out.println("output:");
    out.println(shown.isEmpty() ? "  (none)" : shown.indent(2).stripTrailing());
    out.flush();
    return r.passed() ? 0 : 1;
  }
}

package dev.kansoku.cli;

import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.RequestKind;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.tooling.PeerBenchmark;
import dev.kansoku.task.PlannedRequest;
import dev.kansoku.task.TaskPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The requests of {@code bench peer}, planned from the suite's own task files on the bundled data. */
final class PeerWorkload {
  private static final List<String> SCORING_TASKS = List.of("xwino_en", "openbookqa", "hellaswag", "mmlu");

  private PeerWorkload() {}

  /** {@code requests} log-likelihood requests taken from the four multiple-choice tasks in turn, and GSM8K prompts. */
  static PeerBenchmark.Workload of(int requests, int prompts, int newTokens) throws IOException {
    ConfigLoader loader = new ConfigLoader(Path.of("conf"));
    List<List<PlannedRequest>> perTask = new ArrayList<>();
    for (String task : SCORING_TASKS) {
      perTask.add(TaskPlan.build(loader.task(Path.of("conf/tasks/" + task + ".conf")), 0).requests().stream()
          .filter(r -> r.kind() == RequestKind.LOGLIKELIHOOD).toList());
    }
    List<LoglikelihoodRequest> scoring = new ArrayList<>();
    int longest = perTask.stream().mapToInt(List::size).max().orElse(0);
    for (int i = 0; i < longest && scoring.size() < requests; i++) {
      for (List<PlannedRequest> t : perTask) {
        if (i < t.size() && scoring.size() < requests) {
          PlannedRequest r = t.get(i);
          scoring.add(new LoglikelihoodRequest(r.context(), r.continuation(), r.addSpecialTokens()));
        }
      }
    }
    List<GenerationRequest> generation = TaskPlan.build(loader.task(Path.of("conf/tasks/gsm8k.conf")), 0).requests().stream()
        .limit(prompts).map(r -> new GenerationRequest(r.context(), List.of(), newTokens, r.addSpecialTokens())).toList();
    return new PeerBenchmark.Workload("XWINO, OpenBookQA, HellaSwag, MMLU (bundled samples)", scoring,
        "GSM8K 4-shot (bundled sample), " + newTokens + " new tokens, no stop sequence", generation);
  }

  /** $KANSOKU_REFERENCE_PYTHON, else the environment src/test/python/reference-env.sh creates (once) and names. */
  static Path referencePython() throws IOException, InterruptedException {
    String configured = System.getenv("KANSOKU_REFERENCE_PYTHON");
    if (configured != null && Files.isExecutable(Path.of(configured))) {
      return Path.of(configured);
    }
    Process p = new ProcessBuilder("bash", "src/test/python/reference-env.sh").redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String path = new String(p.getInputStream().readAllBytes()).trim();
    if (p.waitFor() != 0 || path.isEmpty()) {
      throw new IOException("bench peer: the Python reference environment could not be created (src/test/python/reference-env.sh)");
    }
    return Path.of(path);
  }
}

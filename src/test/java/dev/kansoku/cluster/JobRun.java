package dev.kansoku.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kansoku.TestPaths;
import dev.kansoku.cli.KansokuCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** A job launcher of jobs/ run as a user runs it (a bash process), its exit code and its console output. */
record JobRun(int code, String output) {
  static JobRun run(Path log, Map<String, String> env, String script, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", TestPaths.REPO.resolve(script).toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(TestPaths.REPO.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(8, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(script + " did not finish in 8 minutes: " + Files.readString(log));
    }
    return new JobRun(p.exitValue(), Files.readString(log));
  }

  /** (model, task, metric) → value of the default task_scores view, through `kansoku sql` in this JVM. */
  static Map<String, String> taskScores(Path conf, String results) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KansokuCli.execute(new PrintWriter(out), new PrintWriter(err), "sql", "--conf-dir", conf.toString(),
        "--results", results, "--csv", "select model_id, task_id, metric, value from task_scores where source = 'evaluated'");
    assertEquals(0, code, err.toString());
    Map<String, String> scores = new TreeMap<>();
    out.toString().lines().filter(l -> l.split(",").length == 4 && !l.startsWith("model_id")).forEach(l -> {
      String[] f = l.split(",");
      scores.put(f[0] + "|" + f[1] + "|" + f[2], f[3]);
    });
    assertEquals(false, scores.isEmpty(), "task scores in " + results + ": " + out);
    return scores;
  }
}

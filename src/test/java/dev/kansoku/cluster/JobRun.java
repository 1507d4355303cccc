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
    return start(log, env, cmd, script);
  }

  /** A command line as cron runs it: {@code sh -c} with the crontab's variables in the environment. */
  static JobRun shell(Path log, Map<String, String> env, String commandLine) throws Exception {
    return start(log, env, List.of("sh", "-c", commandLine), commandLine);
  }

  private static JobRun start(Path log, Map<String, String> env, List<String> cmd, String script) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(TestPaths.REPO.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(8, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(script + " did not finish in 8 minutes: " + Files.readString(log));
    }
    return new JobRun(p.exitValue(), Files.readString(log));
  }

  /**
   * A quiet console: Kansoku's own lines, spark-submit's application reports and Spark's warnings, not Spark's INFO
   * log (a tiny run printed 1,469 lines before).
   */
  void assertQuiet() {
    List<String> info = output.lines().filter(l -> l.contains(" INFO ") && !l.contains(" INFO dev.kansoku")
        && !l.matches(".* INFO (Client|ClientEndpoint|[A-Z][A-Za-z]*(Job|Stage|Tracker|Partition|Requests|Options)):.*")).toList();
    org.junit.jupiter.api.Assertions.assertTrue(info.isEmpty(), "Spark's INFO lines on the console: " + info);
    org.junit.jupiter.api.Assertions.assertTrue(output.lines().count() < 120,
        "a quiet console: " + output.lines().count() + " lines\n" + output);
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

package dev.kansoku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.kansoku.cli.CliRuns.run;

import dev.kansoku.TestPaths;
import dev.kansoku.cli.CliRuns.Run;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.RandomCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KansokuCliTest {
  @Test
  void loglikPrintsTheSameNumberAsABatchOfEight() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    String context = "質問：日本の首都はどこですか？\n回答：";
    String continuation = "東京";
    Run r = run("loglik", "--model", TestPaths.TINY_MODEL.toString(), "--context", context, "--continuation", continuation, "--verbose");
    assertEquals(0, r.code(), r.err());
    double printed = Double.parseDouble(r.out().lines().filter(l -> l.startsWith("loglikelihood: ")).findFirst().orElseThrow()
        .substring("loglikelihood: ".length()));
    assertTrue(r.out().contains("context_ids: ["), r.out());
    assertTrue(r.out().contains("continuation_ids: ["), r.out());
    List<LoglikelihoodRequest> batch = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      batch.add(new LoglikelihoodRequest("Padding request " + "with more words ".repeat(i), " filler", false));
    }
    batch.add(3, new LoglikelihoodRequest(context, continuation, false));
    try (DjlEngine engine = DjlEngine.load(TestPaths.TINY_MODEL, 2048)) {
      assertEquals(printed, engine.loglikelihood(batch).get(3).logLikelihood(), 1e-5);
    }
  }

  @Test
  void generatePrintsTextAndIds() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    Run r = run("generate", "--model", TestPaths.TINY_MODEL.toString(), "--prompt", "こんにちは", "--max-new-tokens", "3", "--verbose");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("finish_reason: length"), r.out());
    assertTrue(r.out().contains("generated_tokens: 3"), r.out());
    assertTrue(r.out().contains("generated_ids: ["), r.out());
  }

  @Test
  void badConfigurationIsOneLineAndExitCodeTwo(@TempDir Path tmp) throws Exception {
    Path conf = tmp.resolve("bad.conf");
    Files.writeString(conf, "kansoku.inference.batch-size = \"eight\"\n");
    Run r = run("demo", "--conf", conf.toString());
    assertEquals(2, r.code());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: " + conf + ":1: kansoku.inference.batch-size: expected an integer"), r.err());
  }

  /**
   * A Hadoop URI was taken for a relative path: `--results hdfs://…` exited 0 and wrote {@code <checkout>/hdfs:/…}
   * without contacting HDFS. Results now take any Hadoop URI (HdfsResultsTest); a scheme whose filesystem is not on
   * the classpath (s3a without hadoop-aws) and a URI for a key that reads local files only are one line, exit 2, and
   * nothing written anywhere; {@code file://} URIs are local paths.
   */
  @Test
  void aUriKansokuCannotUseIsOneLineAndNothingIsWritten(@TempDir Path tmp) throws Exception {
    for (String command : List.of("evaluate", "analyze", "sql")) {
      Run r = command.equals("sql") ? run(command, "--results", "s3a://bucket/x", "select 1")
          : run(command, "--results", "s3a://bucket/x");
      assertEquals(2, r.code(), command + ": " + r.out() + r.err());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().contains("kansoku.results-dir s3a://bucket/x: the filesystem of scheme 's3a' is not on the classpath"), r.err());
    }
    Run published = run("analyze", "--results", tmp.resolve("r").toString(), "-Dkansoku.analysis.published-scores=hdfs://127.0.0.1:9/p.csv");
    assertEquals(2, published.code(), published.out() + published.err());
    assertEquals(1, published.err().lines().count(), published.err());
    assertTrue(published.err().contains("kansoku.analysis.published-scores: 'hdfs://127.0.0.1:9/p.csv': only a local path"), published.err());
    for (Path dir : List.of(TestPaths.REPO, Path.of("").toAbsolutePath(), tmp)) {
      assertTrue(!Files.exists(dir.resolve("hdfs:")) && !Files.exists(dir.resolve("s3a:")), "a URI became a folder under " + dir);
    }
    assertTrue(!Files.exists(tmp.resolve("r")), "nothing written");
    Path local = tmp.resolve("results");
    assertEquals(local, new dev.kansoku.config.ConfigLoader(TestPaths.CONF).resolvePath(local.toUri().toString()));
  }

  @Test
  void missingModelDirectoryIsAUserError() {
    Run r = run("loglik", "--model", "/nonexistent/model", "--context", "a", "--continuation", "b");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("/nonexistent/model: --model: model directory does not exist"), r.err());
  }

  @Test
  void metricCommandScoresAlignedFiles(@TempDir Path tmp) throws Exception {
    Path pred = Files.writeString(tmp.resolve("pred.txt"), "東京都\nYES\n");
    Path ref = Files.writeString(tmp.resolve("ref.txt"), "東京\nyes\n");
    Run r = run("metric", "char_f1", "--predictions", pred.toString(), "--references", ref.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("char_f1: 0.9\n") || r.out().contains("char_f1: 0.9" + System.lineSeparator()), r.out());
    Run em = run("metric", "exact_match", "--predictions", pred.toString(), "--references", ref.toString());
    assertTrue(em.out().startsWith("exact_match: 0.0"), em.out());
    Files.writeString(ref, "only one line\n");
    assertEquals(2, run("metric", "char_f1", "--predictions", pred.toString(), "--references", ref.toString()).code());
  }

  @Test
  void metricCommandCoversCorpusAndCodeMetrics(@TempDir Path tmp) throws Exception {
    // sacrebleu 2.6.0 on these lines: 48.07745874830859 (see CorpusAndTextMetricsTest)
    Path hyp = Files.writeString(tmp.resolve("hyp.txt"), "The cat sat on the mat.\nA quick brown fox, 3.5 km away.\nHe said \"no\" & left-handed 1990-2000.\n");
    Path ref = Files.writeString(tmp.resolve("ref.txt"), "The cat is sitting on the mat.\nThe quick brown fox was 3.5 km away.\nHe said \"no\" and left, 1990-2000.\n");
    Run bleu = run("metric", "bleu", "--predictions", hyp.toString(), "--references", ref.toString());
    assertTrue(bleu.out().startsWith("bleu: 48.07745874830859"), bleu.out() + bleu.err());
    Path ja = Files.writeString(tmp.resolve("ja.txt"), "猫が座った。\n今日は晴れ\n");
    Path jaRef = Files.writeString(tmp.resolve("jaref.txt"), "猫が座っている。\n今日は晴れです\n");
    assertTrue(run("metric", "bleu", "--lang", "ja", "--predictions", ja.toString(), "--references", jaRef.toString())
        .out().startsWith("bleu: 40.46998852664278"));
    Path squadPred = Files.writeString(tmp.resolve("sp.txt"), "the Seine\nunanswerable\n");
    Path squadRef = Files.writeString(tmp.resolve("sr.txt"), "The Seine\tSeine\n\n");
    assertTrue(run("metric", "squad_exact", "--predictions", squadPred.toString(), "--references", squadRef.toString())
        .out().startsWith("squad_exact: 0.5"));
    // pass@1 of (3 of 10) and (0 of 10) = (0.3 + 0) / 2
    Path samples = Files.writeString(tmp.resolve("pass.txt"), "3 10\n0 10\n");
    assertTrue(run("metric", "pass@k", "--predictions", samples.toString()).out().startsWith("pass@1: 0.15"));
  }

  @Test
  void everyCommandHasHelp() {
    for (String cmd : List.of("demo", "evaluate", "analyze", "sql", "loglik", "generate", "make-tiny-model", "sandbox", "metric", "bench", "nightly")) {
      Run r = run(cmd, "--help");
      assertEquals(0, r.code(), cmd);
      assertTrue(r.out().contains("Usage: kansoku " + cmd), r.out());
    }
  }

  @Test
  void nightlyComputesOnlyTheNewlyRegisteredModelAndAnalysesBoth(@TempDir Path tmp) throws Exception {
    Path conf = TestPaths.repoCopy(tmp);
    Files.writeString(conf.resolve("suites/nightly-test.conf"), "suite { id = \"nightly-test\", tasks = [\"xwino_en\"], limits { xwino_en = 6 } }");
    String[] common = {"--conf-dir", conf.toString(), "--suite", "nightly-test", "--results", tmp.resolve("results").toString(),
        "-Dkansoku.spark.master=local[2]", "-Dkansoku.spark.settings={\"spark.ui.enabled\" = \"false\"}",
        // the random models stay in the matrix here (one task each, the rest imputed) so both must appear
        "-Dkansoku.analysis.exclude-origins=[]", "-Dkansoku.analysis.min-coverage=0.0", "-Dkansoku.analysis.bootstrap=20",
        "-Dkansoku.analysis.report=false"};
    Run first = run(concat("nightly", common));
    assertEquals(0, first.code(), first.err() + first.out());
    assertTrue(first.out().contains("requests: planned 12, reused 0, computed 12"), first.out());
    // register a second model: same weights, its own id and revision
    Files.writeString(conf.resolve("models/tiny-b.conf"), Files.readString(conf.resolve("models/kansoku-tiny-llama.conf"))
        .replace("id = \"kansoku-tiny-llama\"", "id = \"kansoku-tiny-llama-b\"").replace("revision = \"seed-20241128\"", "revision = \"seed-20241128-b\""));
    Run second = run(concat("nightly", common));
    assertEquals(0, second.code(), second.err() + second.out());
    assertTrue(second.out().contains("requests: planned 24, reused 12, computed 12"), second.out());
    assertTrue(second.out().contains("model kansoku-tiny-llama: nothing new (0 requests computed)"), second.out());
    assertTrue(second.out().contains("model kansoku-tiny-llama-b: 12 requests computed"), second.out());
    String summary = Files.readString(tmp.resolve("results/analysis/summary.json"));
    assertTrue(summary.contains("\"kansoku-tiny-llama\"") && summary.contains("\"kansoku-tiny-llama-b\""), "the analysis includes both models");
  }

  private static String[] concat(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}

package dev.kansoku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.kansoku.cli.CliRuns.run;
import static dev.kansoku.cli.CliRuns.snapshot;

import dev.kansoku.TestPaths;
import dev.kansoku.cli.CliRuns.Run;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.results.ResultFiles;
import dev.kansoku.task.DatasetFormatException;
import dev.kansoku.task.TaskPlan;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input never costs earlier results: a results directory holding a good run is evaluated again over a
 * broken dataset, and the run must stop before writing anything, with one line naming the file and line, exit
 * code 2, and leave every result file byte for byte as it was. The three datasets are the findings
 * (a truncated JCommonsenseQA record re-scored the task from 50 to 19 examples; a Shift_JIS copy was read as
 * garbled text; duplicate ids merged two questions).
 */
class BadInputTest {
  @TempDir
  static Path tmp;
  private static Path conf;
  private static Path data;
  private static String[] common;
  private static Map<String, String> goodRun;

  @BeforeAll
  static void goodRun() throws Exception {
    conf = TestPaths.repoCopy(tmp);
    data = tmp.resolve("valid.jsonl");
    Files.copy(TestPaths.REPO.resolve("data/benchmarks/jcommonsenseqa/valid-v1.1.json"), data);
    Path task = conf.resolve("tasks/jcommonsenseqa.conf");
    Files.writeString(task, Files.readString(task).replace("eval-file = \"data/benchmarks/jcommonsenseqa/valid-v1.1.json\"",
        "eval-file = \"" + data + "\""));
    Files.writeString(conf.resolve("suites/bad-input.conf"), "suite { id = \"bad-input\", tasks = [\"jcommonsenseqa\"], limits { jcommonsenseqa = 5 } }");
    common = new String[] {"evaluate", "--conf-dir", conf.toString(), "--suite", "bad-input", "--results", tmp.resolve("results").toString(),
        "-Dkansoku.spark.master=local[2]", "-Dkansoku.spark.settings={\"spark.ui.enabled\" = \"false\"}"};
    Run first = run(common);
    assertEquals(0, first.code(), first.err() + first.out());
    goodRun = snapshot(tmp.resolve("results"));
    assertTrue(goodRun.keySet().stream().anyMatch(k -> k.startsWith("example_scores/")), goodRun.keySet().toString());
  }

  @org.junit.jupiter.api.BeforeEach
  void pristineData() throws Exception {
    Files.copy(TestPaths.REPO.resolve("data/benchmarks/jcommonsenseqa/valid-v1.1.json"), data,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static void assertRefusedAndUnchanged(String expectedStart) throws Exception {
    Run r = run(common);
    assertEquals(2, r.code(), r.err() + r.out());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: " + expectedStart), r.err());
    assertEquals(goodRun, snapshot(tmp.resolve("results")), "the results of the good run are unchanged");
  }

  @Test
  void aTruncatedRecordStopsTheRunBeforeAnythingIsWritten() throws Exception {
    List<String> lines = Files.readAllLines(data);
    lines.set(2, lines.get(2).substring(0, lines.get(2).length() / 2));
    Files.write(data, lines);
    assertRefusedAndUnchanged(data + ":3: jcommonsenseqa: not valid JSON");
  }

  @Test
  void aDuplicateIdNamesBothRecords() throws Exception {
    // JSQuAD's ids are the file's own: two questions with one id were merged into one score
    Path squad = tmp.resolve("jsquad-valid.json");
    String text = Files.readString(TestPaths.REPO.resolve("data/benchmarks/jsquad/valid-v1.1.json"));
    com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    com.fasterxml.jackson.databind.JsonNode qas = root.get("data").get(0).get("paragraphs").get(0).get("qas");
    String firstId = qas.get(0).get("id").asText();
    com.fasterxml.jackson.databind.JsonNode second = qas.size() > 1 ? qas.get(1) : root.get("data").get(0).get("paragraphs").get(1).get("qas").get(0);
    ((com.fasterxml.jackson.databind.node.ObjectNode) second).put("id", firstId);
    Files.writeString(squad, root.toString());
    Map<String, Object> o = Map.of("task.dataset.eval-file", squad.toString(), "task.dataset.fewshot-file", squad.toString());
    TaskSpec spec = new ConfigLoader(TestPaths.CONF).task(TestPaths.CONF.resolve("tasks/jsquad.conf"), o);
    DatasetFormatException e = org.junit.jupiter.api.Assertions.assertThrows(DatasetFormatException.class,
        () -> TaskPlan.build(spec, 0));
    assertTrue(e.getMessage().contains("example id '" + firstId + "' again (first at " + squad), e.getMessage());
  }

  @Test
  void aFileInShiftJisIsReportedAtItsFirstForeignByte() throws Exception {
    String original = Files.readString(data);
    Files.write(data, original.getBytes(Charset.forName("Shift_JIS")));
    // the first line's first non-ASCII character is where Shift_JIS bytes stop being UTF-8
    int firstForeign = 0;
    while (original.charAt(firstForeign) < 0x80) {
      firstForeign++;
    }
    assertRefusedAndUnchanged(data + ":1: jcommonsenseqa: not UTF-8 at byte " + firstForeign);
  }

  @Test
  void aLabelOutsideTheChoicesIsAMalformedRow() throws Exception {
    List<String> lines = Files.readAllLines(data);
    lines.set(1, lines.get(1).replaceFirst("\"label\": ?[0-9]", "\"label\": 7"));
    Files.write(data, lines);
    assertRefusedAndUnchanged(data + ":2: jcommonsenseqa: label '7' is not one of [0, 1, 2, 3, 4]");
  }

  @Test
  void anEmptyDatasetIsAnError() throws Exception {
    Files.writeString(data, "");
    assertRefusedAndUnchanged(data + ": jcommonsenseqa: no examples in the split to evaluate");
  }

  @Test
  void aFileOfGarbageFailsEvenWhenBadRowsMayBeSkipped() throws Exception {
    // with skip-bad-rows the share counts the evaluated split alone: the few-shot file cannot hide it
    Path task = conf.resolve("tasks/jcommonsenseqa.conf");
    String before = Files.readString(task);
    Files.writeString(task, before.replace("label-field = \"label\"", "skip-bad-rows = true\n    label-field = \"label\""));
    try {
      Files.writeString(data, "{broken\n".repeat(38));
      assertRefusedAndUnchanged(data + ":1: jcommonsenseqa: 38 of 38 rows of the evaluated split malformed");
    } finally {
      Files.writeString(task, before);
    }
  }

  @Test
  void numericSettingsOutOfRangeAreOneLineErrors() throws Exception {
    Path task = conf.resolve("tasks/jcommonsenseqa.conf");
    String before = Files.readString(task);
    try {
      Files.writeString(task, before.replace("max-new-tokens = 1", "max-new-tokens = 0"));
      Run r = run(common);
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().startsWith("error: " + task + ":"), r.err());
      assertTrue(r.err().contains("task.request.max-new-tokens: must be at least 1, got 0"), r.err());
    } finally {
      Files.writeString(task, before);
    }
    String[] negativeLimit = java.util.Arrays.copyOf(common, common.length + 1);
    negativeLimit[common.length] = "-Dkansoku.limit=-3";
    Run r = run(negativeLimit);
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("kansoku.limit: must be 0 or more, got -3"), r.err());
    assertEquals(goodRun, snapshot(tmp.resolve("results")));
  }

  @Test
  void aCorruptResponsesFileIsNamedAndRepairLetsTheNextRunRecomputeExactlyItsRequests() throws Exception {
    Path copy = tmp.resolve("results-corrupt");
    dev.kansoku.TestPaths.copyTree(tmp.resolve("results"), copy);
    Path file;
    try (Stream<Path> s = Files.walk(copy.resolve("responses"))) {
      file = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    long held;
    try (org.apache.parquet.hadoop.ParquetFileReader reader = org.apache.parquet.hadoop.ParquetFileReader.open(
        org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toString()),
            new org.apache.hadoop.conf.Configuration()))) {
      held = reader.getRecordCount();
    }
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    String[] args = common.clone();
    args[java.util.Arrays.asList(args).indexOf("--results") + 1] = copy.toString();

    Run refused = run(args);
    assertEquals(2, refused.code(), refused.err() + refused.out());
    assertEquals(1, refused.err().lines().count(), refused.err());
    assertTrue(refused.err().contains(file.getFileName().toString()) && refused.err().contains("cannot be read")
        && refused.err().contains("kansoku repair --results " + copy), refused.err());

    Run repair = run("repair", "--conf-dir", conf.toString(), "--results", copy.toString());
    assertEquals(0, repair.code(), repair.err());
    assertTrue(repair.out().contains("1 unreadable file(s) quarantined"), repair.out());
    assertTrue(Files.exists(copy.resolve(ResultFiles.QUARANTINE)), "moved aside, not deleted");

    Run again = run(args);
    assertEquals(0, again.code(), again.err() + again.out());
    assertTrue(again.out().contains("computed " + held + ","), held + " requests were in the file:\n" + again.out());
  }

  @Test
  void aRunOverChangedDataOrFewerExamplesWritesBesideTheEarlierScores() throws Exception {
    Path copy = tmp.resolve("results-history");
    dev.kansoku.TestPaths.copyTree(tmp.resolve("results"), copy);
    String[] args = common.clone();
    args[java.util.Arrays.asList(args).indexOf("--results") + 1] = copy.toString();
    String[] sql = {"sql", "--conf-dir", conf.toString(), "--results", copy.toString(), "--csv"};
    String before = run(concat(sql, "SELECT score_set, n, value FROM task_scores_history WHERE source = 'evaluated' ORDER BY score_set")).out();

    // the published file changes (its first record is dropped): a valid file, other examples
    List<String> lines = Files.readAllLines(data);
    Files.write(data, lines.subList(1, lines.size()));
    Run changed = run(args);
    assertEquals(0, changed.code(), changed.err() + changed.out());
    // and a --limit run over fewer examples
    String[] limited = java.util.Arrays.copyOf(args, args.length + 1);
    limited[args.length] = "-Dkansoku.limit=2";
    assertEquals(0, run(limited).code());

    String history = run(concat(sql, "SELECT score_set, n, complete FROM task_scores_history WHERE source = 'evaluated' ORDER BY n DESC, score_set")).out();
    List<String> sets = history.lines().skip(1).filter(l -> !l.startsWith("(")).toList();
    assertEquals(3, sets.size(), "three score sets side by side:\n" + history);
    // the first run's rows are still there, unchanged
    for (String row : before.lines().skip(1).filter(l -> !l.startsWith("(")).toList()) {
      assertTrue(run(concat(sql, "SELECT score_set, n, value FROM task_scores_history WHERE source = 'evaluated' ORDER BY score_set")).out()
          .contains(row), row);
    }
    // the default view shows one set per (model, task): the latest complete one, the --limit run's
    String current = run(concat(sql, "SELECT n, complete FROM task_scores WHERE source = 'evaluated'")).out();
    assertEquals(List.of("n,complete", "2,true"), current.lines().filter(l -> !l.startsWith("(")).toList(), current);
    String examples = run(concat(sql, "SELECT count(DISTINCT score_set) AS sets FROM example_scores_history")).out();
    assertTrue(examples.lines().toList().contains("3"), examples);
  }

  @Test
  void aSecondRunOnTheSameDirectoryRefusesNamingTheHolder() throws Exception {
    // a live run holds the directory: this JVM's pid, on this host, just started
    Path lock = tmp.resolve("results/_run.lock");
    Files.writeString(lock, "{\"run_id\": \"20261129T000000Z-holder\", \"host\": \"" + java.net.InetAddress.getLocalHost().getHostName()
        + "\", \"pid\": " + ProcessHandle.current().pid() + ", \"started_at\": \"" + java.time.Instant.now() + "\"}");
    try {
      Run r = run(common);
      assertEquals(2, r.code(), r.err() + r.out());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().contains("is in use by run 20261129T000000Z-holder (host ") && r.err().contains("pid " + ProcessHandle.current().pid()),
          r.err());
    } finally {
      Files.delete(lock);
    }
    assertEquals(goodRun, snapshot(tmp.resolve("results")));
  }

  private static String[] concat(String[] first, String last) {
    String[] all = java.util.Arrays.copyOf(first, first.length + 1);
    all[first.length] = last;
    return all;
  }
}

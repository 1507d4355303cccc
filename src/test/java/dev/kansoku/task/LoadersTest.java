package dev.kansoku.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigError;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.MissingDatasetException;
import dev.kansoku.text.Golds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every published format: a good read, and a malformed row reported with its file and line while the rest load. */
class LoadersTest {
  @TempDir
  Path tmp;

  private Path write(String name, String text) throws Exception {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  private static void assertOneError(LoadedDataset d, String file, long line, String problemPart) {
    assertEquals(1, d.errors().size(), d.errors().toString());
    LoadedDataset.RowError e = d.errors().get(0);
    assertTrue(e.file().endsWith(file), e.file());
    assertEquals(line, e.line());
    assertTrue(e.problem().contains(problemPart), e.problem());
  }

  @Test
  void mmluCsvFolder() throws Exception {
    write("mmlu/test/anatomy_test.csv", "\"What is, 2+2?\",3,4,5,6,B\nbroken row,1,2,C\nQ2,a,b,c,d,E\nQ3,a,b,c,d,D\n");
    LoadedDataset d = new MmluCsvLoader().load(tmp.resolve("mmlu/test"), DatasetLoader.Selection.ALL);
    assertEquals(2, d.docs().size());
    assertEquals(Map.of("question", "What is, 2+2?", "question_strip", "What is, 2+2?", "choice0", "3", "choice1", "4",
        "choice2", "5", "choice3", "6", "choice_count", "4", "gold", "1", "subject", "anatomy", "subject_name", "anatomy"),
        d.docs().get(0).fields());
    assertEquals(2, d.errors().size());
    assertEquals(2, d.errors().get(0).line());
    assertEquals(3, d.errors().get(1).line());
  }

  @Test
  void jmmluFolderNeedsEverySubjectAndReportsBadRows() throws Exception {
    Path dir = tmp.resolve("JMMLU");
    for (String s : JmmluCsvLoader.SUBJECTS) {
      write("JMMLU/" + s + ".csv", "\uFEFF質問1,a,b,c,d,A\n質問2,a,b,c,d,B\n質問3,a,b,c,d,C\n質問4,a,b,c,d,D\n");
    }
    write("JMMLU/anatomy.csv", "\uFEFF質問1,a,b,c,d,A\n壊れた行,a,b\n質問3,a,b,c,d,C\n");
    LoadedDataset test = new JmmluCsvLoader().load(dir, new DatasetLoader.Selection(null, "test", null));
    LoadedDataset train = new JmmluCsvLoader().load(dir, new DatasetLoader.Selection(null, "train", null));
    assertOneError(test, "anatomy.csv", 2, "expected 6 cells");
    assertEquals(32, train.docs().size());
    // 52 subjects × 2 + anatomy's 1 (of 2 good rows) in the test half, minus the 16 that go to train
    assertEquals(52 * 2 + 1 - 16, test.docs().size());
    Files.delete(dir.resolve("virology.csv"));
    assertThrows(DatasetFormatException.class, () -> new JmmluCsvLoader().load(dir, DatasetLoader.Selection.ALL));
  }

  @Test
  void openBookQa() throws Exception {
    Path f = write("obqa.jsonl", "{\"id\": \"1\", \"question\": {\"stem\": \"Q?\", \"choices\": [{\"text\": \"x\", \"label\": \"A\"}, {\"text\": \"y\", \"label\": \"B\"}]}, \"answerKey\": \" B\"}\n"
        + "{\"id\": \"2\", \"question\": {\"stem\": \"Q?\", \"choices\": [{\"text\": \"x\", \"label\": \"A\"}]}, \"answerKey\": \"C\"}\n{not json\n");
    LoadedDataset d = new OpenBookQaLoader().load(f, DatasetLoader.Selection.ALL);
    assertEquals(1, d.docs().size());
    assertEquals("1", d.docs().get(0).get("gold"));
    assertEquals(2, d.errors().size());
    assertEquals(List.of(2L, 3L), d.errors().stream().map(LoadedDataset.RowError::line).sorted().toList());
  }

  @Test
  void hellaSwagJsonAppliesTheHarnessPreprocessing() throws Exception {
    LoadedDataset d = new HellaSwagJsonLoader().load(TestPaths.REPO.resolve("src/test/resources/fixtures/hellaswag/hellaswag_val.jsonl"), DatasetLoader.Selection.ALL);
    assertEquals("Roof shingle removal: A man is sitting on a roof. He", d.docs().get(0).get("query"));
    // Python: "[header] How to clean a grill [title] Heat the grill." + " " + "[step] Turn it on HIGH".capitalize(), preprocessed
    assertEquals("Home and Garden: How to clean a grill. Heat the grill. turn it on high", d.docs().get(2).get("query"));
    assertEquals("and leave it. Scrub it.", d.docs().get(2).get("choice1"));
    Path bad = write("hs.jsonl", Files.readString(TestPaths.REPO.resolve("src/test/resources/fixtures/hellaswag/hellaswag_train.jsonl"))
        + "{\"activity_label\": \"x\", \"ctx_a\": \"a\", \"ctx_b\": \"b\", \"endings\": [\"e\"], \"label\": 3}\n");
    assertOneError(new HellaSwagJsonLoader().load(bad, DatasetLoader.Selection.ALL), "hs.jsonl", 3, "endings");
  }

  @Test
  void hellaSwagTextDump() throws Exception {
    Path f = write("hs.txt", "Ctx one. he\n1\na\nb\nc\nd\nCtx two\nx\na\nb\nc\nd\nCtx three\n2\n");
    LoadedDataset d = new HellaSwagTextLoader().load(f, DatasetLoader.Selection.ALL);
    assertEquals(1, d.docs().size());
    assertEquals(2, d.errors().size());
    assertEquals(8, d.errors().get(0).line());
    assertTrue(d.errors().get(1).problem().contains("truncated"));
  }

  @Test
  void mgsmTsvAndExemplars() throws Exception {
    Path f = write("mgsm.tsv", "問題A\t18\n問題B\t2,125\nno tab here\n問題D\tabc\n");
    LoadedDataset d = new MgsmTsvLoader().load(f, DatasetLoader.Selection.ALL);
    assertEquals(List.of("18", "2125"), d.docs().stream().map(x -> x.get("answer_number")).toList());
    assertEquals(2, d.errors().size());
    assertEquals(3, d.errors().get(0).line());
    LoadedDataset ex = new MgsmExemplarsLoader().load(TestPaths.REPO.resolve("data/benchmarks/mgsm_ja/exemplars_ja.py"), DatasetLoader.Selection.language("ja"));
    assertEquals(8, ex.docs().size());
    assertTrue(ex.docs().get(0).get("question").startsWith("問題：ロジャーは5個のテニスボールがあります。"));
    assertTrue(ex.docs().get(0).get("answer_text").endsWith("答えは11です。"));
    assertThrows(DatasetFormatException.class, () -> new MgsmExemplarsLoader().load(
        TestPaths.REPO.resolve("data/benchmarks/mgsm_ja/exemplars_ja.py"), DatasetLoader.Selection.language("sw")));
  }

  @Test
  void parallelText() throws Exception {
    Path src = write("src.en", "Hello.  \n\nBye.\n");
    Path ref = write("ref.ja", "こんにちは。\nえ\nさようなら。\n");
    LoadedDataset d = new ParallelTextLoader().load(src, new DatasetLoader.Selection(null, null, ref.toString()));
    assertEquals(List.of("Hello.", "Bye."), d.docs().stream().map(x -> x.get("src")).toList());
    assertOneError(d, "src.en", 2, "empty source");
    Path shortRef = write("short.ja", "一\n");
    assertThrows(DatasetFormatException.class, () -> new ParallelTextLoader().load(src, new DatasetLoader.Selection(null, null, shortRef.toString())));
  }

  @Test
  void bbhFolderWithPrompts() throws Exception {
    write("bbh/bbh/t.json", "{\"examples\": [{\"input\": \"1+1\", \"target\": \"2\"}, {\"input\": \"x\"}]}");
    write("bbh/cot-prompts/t.txt", "canary\n-----\nDo sums.\n\nQ: 2+2\nA: Let's think step by step.\n4. So the answer is 4.");
    LoadedDataset d = new BbhJsonLoader().load(tmp.resolve("bbh/bbh"), DatasetLoader.Selection.ALL);
    assertEquals("Do sums.\n\nQ: 2+2\nA: Let's think step by step.\n4. So the answer is 4.", d.docs().get(0).get("cot_prompt"));
    assertEquals("t", d.docs().get(0).subset());
    assertOneError(d, "t.json", 0, "examples[1]");
  }

  @Test
  void triviaQaAndSquad2Fixtures() throws Exception {
    Path fix = TestPaths.REPO.resolve("src/test/resources/fixtures");
    LoadedDataset tq = new TriviaQaJsonLoader().load(fix.resolve("triviaqa/qa/wikipedia-dev.json"), DatasetLoader.Selection.ALL);
    assertEquals(4, tq.docs().size());
    assertEquals(List.of("Mars", "The Red Planet", "Planet Mars"), Golds.split(tq.docs().get(0).get("aliases")));
    Path badTq = write("tq.json", "{\"Data\": [{\"Question\": \"q\", \"QuestionId\": \"1\", \"Answer\": {\"Aliases\": [\"a\"]}}, {\"Question\": \"q2\"}]}");
    assertOneError(new TriviaQaJsonLoader().load(badTq, DatasetLoader.Selection.ALL), "tq.json", 0, "Data[1]");
    LoadedDataset sq = new SquadJsonLoader().load(fix.resolve("squad2/dev-v2.0.json"), DatasetLoader.Selection.ALL);
    assertEquals(4, sq.docs().size());
    assertEquals("true", sq.docs().get(1).get("is_impossible"));
    assertEquals("unanswerable", sq.docs().get(1).get("answer_or_unanswerable"));
    assertEquals(List.of("The Seine", "Seine"), Golds.split(sq.docs().get(0).get("answers")));
    LoadedDataset xl = new JsonLinesLoader().load(fix.resolve("xlsum_ja/test.jsonl"), DatasetLoader.Selection.ALL);
    assertEquals("大型の台風が週末に九州へ接近する見込みだ。", xl.docs().get(0).get("summary"));
  }

  @Test
  void squadQuestionWithoutAnswerIsReportedUnlessUnanswerable() throws Exception {
    Path f = write("squad.json", "{\"data\": [{\"title\": \"T\", \"paragraphs\": [{\"context\": \"C\", \"qas\": ["
        + "{\"id\": \"a\", \"question\": \"q1\", \"answers\": [{\"text\": \"C\", \"answer_start\": 0}]},"
        + "{\"id\": \"b\", \"question\": \"q2\", \"answers\": []},"
        + "{\"id\": \"c\", \"question\": \"q3\", \"answers\": [], \"is_impossible\": true}]}]}]}");
    LoadedDataset d = new SquadJsonLoader().load(f, DatasetLoader.Selection.ALL);
    assertEquals(List.of("a", "c"), d.docs().stream().map(Doc::id).toList());
    assertOneError(d, "squad.json", 0, "data[0].paragraphs[0].qas[1]");
  }

  @Test
  void missingOfficialFileNamesItsSource() {
    MissingDatasetException e = assertThrows(MissingDatasetException.class,
        () -> new ConfigLoader(TestPaths.CONF).task(TestPaths.CONF.resolve("tasks/squad2.conf")));
    assertTrue(e.getMessage().contains("squad2.conf:") && e.getMessage().contains("task.dataset.eval-file")
        && e.getMessage().contains("rajpurkar/SQuAD-explorer"), e.getMessage());
    assertEquals("squad2", e.taskId());
  }

  @Test
  void aMalformedRowFailsTheTaskUnlessSkippingIsAskedFor() throws Exception {
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      rows.append(i % 4 == 0 ? "{broken\n" : "{\"q_id\": " + i + ", \"question\": \"q\", \"choice0\": \"a\", \"choice1\": \"b\", "
          + "\"choice2\": \"c\", \"choice3\": \"d\", \"choice4\": \"e\", \"label\": 1}\n");
    }
    Path f = write("jcqa.jsonl", rows.toString());
    Map<String, Object> o = new java.util.HashMap<>(Map.of("task.dataset.eval-file", f.toString(), "task.dataset.fewshot-file", f.toString(),
        "task.prompt.shots", 2));
    TaskPlan strict = TaskPlan.build(new ConfigLoader(TestPaths.CONF).task(TestPaths.CONF.resolve("tasks/jcommonsenseqa.conf"), o), 0);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> strict.checkBadRowShare(0.5));
    assertTrue(e.getMessage().startsWith(f + ":1: jcommonsenseqa: not valid JSON") && e.getMessage().contains("(5 malformed rows;"), e.getMessage());

    o.put("task.dataset.skip-bad-rows", true);
    TaskPlan skipping = TaskPlan.build(new ConfigLoader(TestPaths.CONF).task(TestPaths.CONF.resolve("tasks/jcommonsenseqa.conf"), o), 0);
    assertEquals(15, skipping.examples());
    skipping.checkBadRowShare(0.25);
    e = assertThrows(DatasetFormatException.class, () -> skipping.checkBadRowShare(0.05));
    assertTrue(e.getMessage().startsWith(f + ":1: jcommonsenseqa: 5 of 20 rows of the evaluated split malformed (25.0% > kansoku.max-bad-row-share 5.0%)"),
        e.getMessage());
  }

  @Test
  void anUnbalancedQuoteIsReportedOnTheLineWhereItOpens() throws Exception {
    Path f = write("bad.csv", "q1,a,b,c,d,A\nq2,a,b,c,d,B\n\"q3 never closed,a,b,c,d,C\nq4,a,b,c,d,D\nq5,a,b,c,d,A\n");
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> CsvRows.read(f, true));
    assertEquals(f + ":3: quote: a quoted field opens on this line and is never closed (unbalanced \")", e.getMessage());
  }

  @Test
  void aTextFormatInAnotherEncodingIsReadWithDatasetEncoding() throws Exception {
    Path utf8 = TestPaths.REPO.resolve("data/benchmarks/mgsm_ja/mgsm_ja.tsv");
    Path sjis = write("mgsm_ja-sjis.tsv", "");
    Files.write(sjis, Files.readString(utf8).getBytes(java.nio.charset.Charset.forName("Shift_JIS")));
    ConfigLoader loader = new ConfigLoader(TestPaths.CONF);
    TaskPlan reference = TaskPlan.build(loader.task(TestPaths.CONF.resolve("tasks/mgsm_ja.conf")), 3);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> TaskPlan.build(
        loader.task(TestPaths.CONF.resolve("tasks/mgsm_ja.conf"), Map.of("task.dataset.eval-file", sjis.toString())), 3));
    assertTrue(e.getMessage().startsWith(sjis + ":1: mgsm_ja: not UTF-8 at byte 0 (0x83)"), e.getMessage());
    TaskPlan decoded = TaskPlan.build(loader.task(TestPaths.CONF.resolve("tasks/mgsm_ja.conf"),
        Map.of("task.dataset.eval-file", sjis.toString(), "task.dataset.encoding", "Shift_JIS")), 3);
    assertEquals(reference.requests().stream().map(PlannedRequest::context).toList(),
        decoded.requests().stream().map(PlannedRequest::context).toList());
    // JSON is UTF-8 by its RFC: an encoding there is a configuration error naming the key
    ConfigError c = assertThrows(ConfigError.class, () -> loader.task(
        TestPaths.CONF.resolve("tasks/jcommonsenseqa.conf"), Map.of("task.dataset.encoding", "Shift_JIS")));
    assertTrue(c.getMessage().contains("task.dataset.encoding: format 'jsonl' is read as UTF-8"), c.getMessage());
  }
}

package dev.kansoku.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.RequestKind;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.config.TaskSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Prompts of the two demo tasks, character for character. The expected strings were produced by a short
 * independent Python transcription of lm-evaluation-harness v0.4.2 (ContextSampler, xwinograd utils) and
 * of llm-jp-eval v1.3.0 (jcommonsenseqa preprocessing, get_evaluation_prompt) run on the same files.
 */
class PromptStylesTest {
  private static TaskSpec task(String id) {
    ResolvedRun run = new ConfigLoader(TestPaths.CONF).load(null, Map.of());
    return run.tasks().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void xwinoConvertsPublishedTsvToHarnessRecord() throws Exception {
    LoadedDataset d = new XwinoTsvLoader().load(TestPaths.REPO.resolve("data/benchmarks/xwino_en/dataset.tsv"), "en");
    assertEquals(50, d.docs().size());
    assertTrue(d.errors().isEmpty());
    assertEquals(Map.of("sentence", "The city councilmen refused the demonstrators a permit because _ feared violence.",
        "option1", "The city councilmen", "option2", "the demonstrators", "answer", "1"), d.docs().get(0).fields());
  }

  @Test
  void xwinoRequestsMatchHarness() throws Exception {
    TaskPlan plan = TaskPlan.build(task("xwino_en"), 3);
    assertEquals(6, plan.requests().size());
    String shots = "Susan knows all about Ann's personal problems because Susan is nosy.\n\n"
        + "Joan made sure to thank Susan for all the help Susan had given.\n\n"
        + "Paul tried to call George on the phone, but Paul wasn't successful.\n\n"
        + "Susan knew that Ann's son had been in a car accident, because Ann told her about it.\n\n";
    PlannedRequest first = plan.requests().get(4);
    assertEquals("2", first.exampleId());
    assertEquals(shots + "The trophy doesn't fit into the brown suitcase because The trophy", first.context());
    assertEquals(" is too large.", first.continuation());
    assertEquals(shots + "The trophy doesn't fit into the brown suitcase because suitcase", plan.requests().get(5).context());
    assertEquals("0", first.gold());
  }

  @Test
  void xwinoFewshotOnFullFileUsesHarnessSampleIndices() throws Exception {
    assumeTrue(TestPaths.hasShared(), "../shared/benchmarks not present");
    Path full = TestPaths.sharedBenchmarks().resolve("xwino_en/dataset.tsv");
    List<Doc> docs = new XwinoTsvLoader().load(full, "en").docs();
    assertEquals(2325, docs.size());
    TaskSpec t = task("xwino_en");
    List<PlannedRequest> reqs = new LmEvalPartialEvaluation().plan(t, docs.subList(0, 1), docs);
    // random.Random(1234).sample(range(2325), 4) == [1805, 478, 30, 371]
    String expected = String.join("\n\n", List.of(1805, 478, 30, 371).stream().map(i -> {
      Doc d = docs.get(i);
      return LmEvalPartialEvaluation.choices(d).get(LmEvalPartialEvaluation.answerIndex(d)) + " " + LmEvalPartialEvaluation.target(d);
    }).toList()) + "\n\n";
    assertEquals(expected + "The city councilmen refused the demonstrators a permit because The city councilmen",
        reqs.get(0).context());
  }

  @Test
  void jcommonsenseqaPromptMatchesLlmJpEval() throws Exception {
    TaskPlan plan = TaskPlan.build(task("jcommonsenseqa"), 1);
    PlannedRequest r = plan.requests().get(0);
    // few-shot examples: train rows 1011, 4986, 4239, 1005 (random.seed(42) shuffle of the 8,939 rows)
    List<Doc> train = new JsonLinesLoader().load(TestPaths.REPO.resolve("data/benchmarks/jcommonsenseqa/train-v1.1.json"), DatasetLoader.Selection.ALL).docs();
    StringBuilder expected = new StringBuilder(
        "以下は、タスクを説明する指示と、文脈のある入力の組み合わせです。要求を適切に満たす応答を書きなさい。\n\n### 指示:\n"
            + "質問と回答の選択肢を入力として受け取り、選択肢から回答を選択してください。なお、回答は選択肢の番号（例：0）でするものとします。 回答となる数値をint型で返し、他には何も含めないことを厳守してください。");
    for (int i : List.of(1011, 4986, 4239, 1005)) {
      Doc d = train.get(i);
      expected.append("\n\n### 入力:\n質問：").append(d.get("question")).append("\n選択肢：0.").append(d.get("choice0"))
          .append(",1.").append(d.get("choice1")).append(",2.").append(d.get("choice2")).append(",3.").append(d.get("choice3"))
          .append(",4.").append(d.get("choice4")).append("\n\n### 応答:\n").append(d.get("label"));
    }
    expected.append("\n\n### 入力:\n質問：電子機器で使用される最も主要な電子回路基板の事をなんと言う？\n"
        + "選択肢：0.掲示板,1.パソコン,2.マザーボード,3.ハードディスク,4.まな板\n\n### 応答:\n");
    assertEquals(expected.toString(), r.context());
    assertEquals("2", r.gold());
    assertEquals(1, r.maxNewTokens());
    // llm-jp-eval's text-generation pipeline encodes without special tokens (docs/prompt-fidelity.md)
    assertFalse(r.addSpecialTokens());
    assertEquals(RequestKind.GENERATE_UNTIL, r.kind());
  }

  @Test
  void humanevalRequestsAreTenSeededSamplesOfTheUnstrippedPrompt() throws Exception {
    TaskPlan plan = TaskPlan.build(task("humaneval"), 2);
    assertEquals(20, plan.requests().size());
    PlannedRequest first = plan.requests().get(0);
    assertTrue(first.context().startsWith("from typing import List\n\n\ndef has_close_elements("));
    assertTrue(first.context().endsWith("\"\"\"\n"), "the prompt keeps its trailing newline (unstripped)");
    assertTrue(first.gold().startsWith("\n\n\nMETADATA") && first.gold().endsWith("\ncheck(has_close_elements)"), first.gold());
    assertEquals(0.2, first.decoding().temperature());
    assertEquals(0.95, first.decoding().topP());
    java.util.Set<Long> seeds = new java.util.HashSet<>();
    plan.requests().forEach(r -> seeds.add(r.decoding().seed()));
    assertEquals(20, seeds.size(), "every sample has its own seed");
    assertEquals(first.decoding().seed(), TaskPlan.build(task("humaneval"), 2).requests().get(0).decoding().seed(), "seeds are stable");
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), plan.requests().subList(0, 10).stream().map(PlannedRequest::choiceIndex).toList());
  }

  @Test
  void jemhopqaPromptMatchesLlmJpEval() throws Exception {
    PlannedRequest r = TaskPlan.build(task("jemhopqa"), 1).requests().get(0);
    // random.seed(42); random.shuffle(range(1059))[:4] == [5, 200, 425, 149]
    List<Doc> train = new JsonArrayLoader().load(TestPaths.REPO.resolve("data/benchmarks/jemhopqa/train.json"), DatasetLoader.Selection.ALL).docs();
    StringBuilder expected = new StringBuilder(LlmJpEvalPrompt.PREAMBLE + "\n\n### 指示:\n"
        + "質問を入力とし、回答を出力してください。回答の他には何も含めないことを厳守してください。回答が'はい'と'いいえ'で答えることができる場合、'YES'と'NO'で答えてください。");
    for (int i : List.of(5, 200, 425, 149)) {
      expected.append("\n\n### 入力:\n質問：").append(train.get(i).get("question"))
          .append("\n\n### 応答:\n").append(train.get(i).get("answer"));
    }
    expected.append("\n\n### 入力:\n質問：『ダンガンロンパ 希望の学園と絶望の高校生』と『ファイナルファンタジーXIII』、発売日が早いのはどちらでしょう？\n\n### 応答:\n");
    assertEquals(expected.toString(), r.context());
    assertEquals("ファイナルファンタジーXIII", r.gold());
    assertEquals(15, r.maxNewTokens());
  }

  @Test
  void niilcPromptMatchesLlmJpEval() throws Exception {
    TaskPlan plan = TaskPlan.build(task("niilc"), 0);
    assertEquals(16, plan.examples(), "the demo suite caps NIILC at 16 questions");
    // the bundled 50 questions include the two whose answer is "-" (00020-01, 00165-01): left out
    List<Doc> sample = new NiilcXmlLoader().load(TestPaths.REPO.resolve("data/benchmarks/niilc/NIILC-ECQA2015_test.xml"), DatasetLoader.Selection.ALL).docs();
    assertEquals(48, sample.size());
    assertTrue(sample.stream().noneMatch(d -> d.id().equals("NIILC-ECQA2015-00020-01")));
    PlannedRequest r = plan.requests().get(0);
    // dev: 800 questions, 795 after dropping answer "-"; random.seed(42) shuffle → [578, 651, 749, 307]
    List<Doc> dev = new NiilcXmlLoader().load(TestPaths.REPO.resolve("data/benchmarks/niilc/NIILC-ECQA2015_dev.xml"), DatasetLoader.Selection.ALL).docs();
    assertEquals(795, dev.size());
    StringBuilder expected = new StringBuilder(LlmJpEvalPrompt.PREAMBLE + "\n\n### 指示:\n"
        + "質問に対する答えを出力してください。回答の他には何も含めないことを厳守してください。答えが複数の場合、コンマ（,）で繋げてください。");
    for (int i : List.of(578, 651, 749, 307)) {
      expected.append("\n\n### 入力:\n質問：").append(dev.get(i).get("text"))
          .append("\n\n### 応答:\n").append(dev.get(i).get("answer"));
    }
    expected.append("\n\n### 入力:\n質問：初めてノート型パソコンを作ったメーカーは？\n\n### 応答:\n");
    assertEquals(expected.toString(), r.context());
    assertEquals("東芝", r.gold());
    assertEquals("NIILC-ECQA2015-00005-01", r.exampleId());
    // several answers are joined with ","
    assertTrue(plan.requests().get(1).gold().startsWith("TACS,HiCAP,PDC,cdmaOne,"), plan.requests().get(1).gold());
  }

  @Test
  void niilcFullTestFileHas198UsableQuestions() throws Exception {
    assumeTrue(TestPaths.hasShared(), "../shared/benchmarks not present");
    LoadedDataset d = new NiilcXmlLoader().load(TestPaths.sharedBenchmarks().resolve("niilc/NIILC-ECQA2015_test.xml"), DatasetLoader.Selection.ALL);
    assertEquals(198, d.docs().size());
    assertTrue(d.errors().isEmpty());
  }

  @Test
  void jsquadPromptUsesTheContextAndNeverTheEvaluatedQuestionAsAShot() throws Exception {
    TaskPlan plan = TaskPlan.build(task("jsquad"), 50);
    assertEquals(50, plan.requests().size());
    List<Doc> docs = new SquadJsonLoader().load(TestPaths.REPO.resolve("data/benchmarks/jsquad/valid-v1.1.json"), DatasetLoader.Selection.ALL).docs();
    PlannedRequest first = plan.requests().get(0);
    assertEquals("a10336p0q0", first.exampleId());
    assertEquals("小笠原諸島", first.gold(), "the first answer's text, as llm-jp-eval takes it");
    assertTrue(first.context().endsWith("\n\n### 入力:\n文章：" + docs.get(0).get("context") + "\n質問：日本で梅雨がないのは北海道とどこか。\n\n### 応答:\n"));
    // random.seed(42) shuffle of the 50 questions: each prompt holds 4 shots and its own question once
    List<String> firstFour = LlmJpEvalPrompt.fewshotExamples(docs, 4, 42).stream().map(Doc::id).toList();
    int replaced = 0;
    for (PlannedRequest r : plan.requests()) {
      String question = docs.stream().filter(d -> d.id().equals(r.exampleId())).findFirst().orElseThrow().get("question");
      assertEquals(4, r.context().split("### 応答:\n", -1).length - 2, r.exampleId());
      assertEquals(1, r.context().split("質問：" + java.util.regex.Pattern.quote(question), -1).length - 1,
          "an example is never its own shot: " + r.exampleId());
      replaced += firstFour.contains(r.exampleId()) ? 1 : 0;
    }
    assertEquals(4, replaced, "the four default shots are themselves evaluated, so the rule is exercised");
  }

  @Test
  void firstFewshotExampleIsTheOneLlmJpEvalPicks() throws Exception {
    List<Doc> train = new JsonLinesLoader().load(TestPaths.REPO.resolve("data/benchmarks/jcommonsenseqa/train-v1.1.json"), DatasetLoader.Selection.ALL).docs();
    List<Doc> shots = LlmJpEvalPrompt.fewshotExamples(train, 4, 42);
    assertEquals(List.of("1011", "4986", "4239", "1005"), shots.stream().map(Doc::id).toList());
  }

  @Test
  void malformedRowsAreReportedWithFileAndLine(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("bad.jsonl");
    java.nio.file.Files.writeString(f, "{\"q_id\": 1}\nnot json\n[1,2]\n");
    LoadedDataset d = new JsonLinesLoader().load(f, DatasetLoader.Selection.ALL);
    assertEquals(1, d.docs().size());
    assertEquals(2, d.errors().size());
    assertEquals(2, d.errors().get(0).line());
    assertEquals(3, d.errors().get(1).line());
    Path tsv = tmp.resolve("bad.tsv");
    java.nio.file.Files.writeString(tsv, "en\tx\t?\tonly four\n");
    Path array = tmp.resolve("bad.json");
    java.nio.file.Files.writeString(array, "[{\"question\": \"q\", \"answer\": \"a\"}, 3]");
    LoadedDataset a = new JsonArrayLoader().load(array, DatasetLoader.Selection.ALL);
    assertEquals(1, a.docs().size());
    assertTrue(a.errors().get(0).problem().contains("record 1 is not a JSON object"));
    Path xml = tmp.resolve("bad.xml");
    java.nio.file.Files.writeString(xml, "<questions><question id=\"q1\"><text>t</text><answers><answer></answer></answers></question>"
        + "<question id=\"q2\"><text>t2</text></question><question id=\"q3\"><text>t3</text><answers><answer>a</answer></answers></question></questions>");
    LoadedDataset x2 = new NiilcXmlLoader().load(xml, DatasetLoader.Selection.ALL);
    assertEquals(List.of("q3"), x2.docs().stream().map(Doc::id).toList());
    assertEquals(2, x2.errors().size());
    java.nio.file.Files.writeString(xml, "<questions><question>");
    assertTrue(org.junit.jupiter.api.Assertions.assertThrows(DatasetFormatException.class,
        () -> new NiilcXmlLoader().load(xml, DatasetLoader.Selection.ALL)).getMessage().startsWith(xml + ":1: xml:"));
    java.nio.file.Files.writeString(array, "{\"not\": \"an array\"}");
    assertTrue(org.junit.jupiter.api.Assertions.assertThrows(DatasetFormatException.class,
        () -> new JsonArrayLoader().load(array, DatasetLoader.Selection.ALL)).getMessage().contains("expected a JSON array"));
    LoadedDataset x = new XwinoTsvLoader().load(tsv, "en");
    assertEquals(1, x.errors().get(0).line());
    assertTrue(x.errors().get(0).problem().contains("7 tab-separated columns"));
  }
}

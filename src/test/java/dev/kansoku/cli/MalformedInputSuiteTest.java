package dev.kansoku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.kansoku.cli.CliRuns.run;
import static dev.kansoku.cli.CliRuns.snapshot;

import dev.kansoku.TestPaths;
import dev.kansoku.cli.CliRuns.Run;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The malformed-input suite: a results directory holds a good run of 12 tasks (every dataset format the bundled
 * data uses), then each case breaks one input — a dataset file in its own format, a configuration file, a
 * command-line value, the results directory — and runs {@code kansoku evaluate} again. Every case must end in
 * exit code 2 with one line on stderr that names the file and the key, line or field, and leave the results
 * directory byte for byte as it was. The table of cases is in docs/bad-input.md.
 */
class MalformedInputSuiteTest {
  @TempDir
  static Path tmp;
  private static Path repo;
  private static Path pristine;
  private static String[] common;
  private static Map<String, String> goodRun;

  /** One malformed input: what it breaks, and a pattern the one-line error must match ({@code {repo}} = the repo copy). */
  record Case(String name, Mutation mutation, List<String> extraArgs, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  interface Mutation {
    void apply(Path repo) throws IOException;
  }

  static final List<String> TASKS = List.of("jcommonsenseqa", "jemhopqa", "niilc", "jsquad", "xwino_en", "mmlu", "jmmlu",
      "hellaswag", "mgsm_ja", "wmt20_en_ja", "openbookqa", "bbh");

  @BeforeAll
  static void goodRun() throws Exception {
    repo = tmp.resolve("repo");
    Files.createDirectories(repo);
    pristine = tmp.resolve("pristine");
    TestPaths.copyTree(TestPaths.CONF, pristine.resolve("conf"));
    TestPaths.copyTree(TestPaths.REPO.resolve("data/benchmarks"), pristine.resolve("data/benchmarks"));
    Files.createDirectories(repo.resolve("data"));
    Files.createSymbolicLink(repo.resolve("data/models"), TestPaths.REPO.resolve("data/models"));
    Files.createSymbolicLink(repo.resolve("data/published"), TestPaths.REPO.resolve("data/published"));
    restore();
    common = new String[] {"evaluate", "--conf-dir", repo.resolve("conf").toString(), "--suite", "malformed",
        "--results", tmp.resolve("results").toString(), "-Dkansoku.spark.master=local[2]",
        "-Dkansoku.spark.settings={\"spark.ui.enabled\" = \"false\"}"};
    Run first = run(common);
    assertEquals(0, first.code(), first.err() + first.out());
    goodRun = snapshot(tmp.resolve("results"));
  }

  /** The repository copy back to its pristine configuration and data. */
  @BeforeEach
  void restoreBeforeEachCase() throws IOException {
    restore();
  }

  private static void restore() throws IOException {
    for (String dir : List.of("conf", "data/benchmarks")) {
      Path target = repo.resolve(dir);
      if (Files.exists(target)) {
        try (Stream<Path> s = Files.walk(target)) {
          for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      TestPaths.copyTree(pristine.resolve(dir), target);
    }
    StringBuilder limits = new StringBuilder();
    TASKS.forEach(t -> limits.append(t).append(" = 1, "));
    Files.writeString(repo.resolve("conf/suites/malformed.conf"), "suite { id = \"malformed\", tasks = "
        + TASKS.stream().map(t -> "\"" + t + "\"").toList() + ", limits { " + limits + " } }\n");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRefusedInOneLineAndLeavesEarlierResultsUnchanged(Case c) throws Exception {
    c.mutation().apply(repo);
    List<String> args = new ArrayList<>(Arrays.asList(common));
    for (int i = 0; i < c.extraArgs().size(); i++) {
      String a = c.extraArgs().get(i).replace("{tmp}", tmp.toString());
      int at = args.indexOf(a);
      if (a.startsWith("--") && at >= 0) {
        // an option the good run also gives: this case's value replaces it
        args.set(at + 1, c.extraArgs().get(++i).replace("{tmp}", tmp.toString()));
      } else {
        args.add(a);
      }
    }
    Run r = run(args.toArray(String[]::new));
    String expected = c.expected().replace("{repo}", Pattern.quote(repo.toString())).replace("{tmp}", Pattern.quote(tmp.toString()));
    assertEquals(2, r.code(), c.name() + ": " + r.err() + r.out());
    assertEquals(1, r.err().lines().count(), c.name() + ": " + r.err());
    assertTrue(Pattern.compile("^error: " + expected).matcher(r.err()).find(), c.name() + ": " + r.err());
    Map<String, String> now = snapshot(tmp.resolve("results"));
    List<String> changed = new ArrayList<>();
    goodRun.forEach((file, hash) -> {
      if (!hash.equals(now.get(file))) {
        changed.add(file);
      }
    });
    now.keySet().stream().filter(f -> !goodRun.containsKey(f)).forEach(f -> changed.add("new: " + f));
    assertTrue(changed.isEmpty(), c.name() + ": the good run's results changed: " + changed);
    // the table of docs/bad-input.md: case, exit code, message (temporary paths shortened)
    String line = r.err().strip().replace(repo.toString(), "<repo>").replace(tmp.toString(), "<tmp>");
    Files.writeString(TestPaths.REPO.resolve("target/malformed-input-table.md"), "| " + c.name() + " | " + r.code() + " | `"
        + line.replace("|", "\\|") + "` | unchanged |\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }

  // ---- mutations ----

  private static Path bench(Path repo, String file) {
    return repo.resolve("data/benchmarks").resolve(file);
  }

  private static Mutation editLine(String file, int line, java.util.function.UnaryOperator<String> edit) {
    return repo -> {
      Path f = bench(repo, file);
      List<String> lines = new ArrayList<>(Files.readAllLines(f));
      lines.set(line - 1, edit.apply(lines.get(line - 1)));
      Files.write(f, lines);
    };
  }

  private static Mutation replaceText(String file, String from, String to) {
    return repo -> {
      Path f = file.startsWith("conf/") ? repo.resolve(file) : bench(repo, file);
      String text = Files.readString(f);
      assertTrue(text.contains(from), file + " holds '" + from + "'");
      Files.writeString(f, text.replace(from, to));
    };
  }

  private static Mutation write(String file, String content) {
    return repo -> Files.writeString(file.startsWith("conf/") ? repo.resolve(file) : bench(repo, file), content);
  }

  private static Mutation recode(String file, Charset charset) {
    return repo -> {
      Path f = bench(repo, file);
      Files.write(f, Files.readString(f, StandardCharsets.UTF_8).getBytes(charset));
    };
  }

  private static Mutation delete(String file) {
    return repo -> Files.delete(bench(repo, file));
  }

  private static Mutation taskSetting(String task, String from, String to) {
    return replaceText("conf/tasks/" + task + ".conf", from, to);
  }

  private static Mutation none() {
    return repo -> { };
  }

  private static Case dataset(String name, Mutation m, String expected) {
    return new Case("dataset: " + name, m, List.of(), expected);
  }

  private static Case config(String name, Mutation m, String expected) {
    return new Case("config: " + name, m, List.of(), expected);
  }

  private static Case cli(String name, List<String> args, String expected) {
    return new Case("command line: " + name, none(), args, expected);
  }

  static Stream<Case> cases() {
    String jcqa = "jcommonsenseqa/valid-v1.1.json";
    String b = "{repo}/data/benchmarks/";
    String c = "{repo}/conf/";
    return Stream.of(
        // datasets, in every format the suite reads
        dataset("jsonl: truncated record", editLine(jcqa, 3, l -> l.substring(0, l.length() / 2)),
            b + jcqa + ":3: jcommonsenseqa: not valid JSON"),
        dataset("jsonl: Shift_JIS bytes", recode(jcqa, Charset.forName("Shift_JIS")), b + jcqa + ":1: jcommonsenseqa: not UTF-8 at byte \\d+"),
        dataset("jsonl: empty file", write(jcqa, ""), b + jcqa + ": jcommonsenseqa: no examples in the split to evaluate"),
        dataset("jsonl: label outside the choices", editLine(jcqa, 1, l -> l.replaceFirst("\"label\": ?[0-9]", "\"label\": 9")),
            b + jcqa + ":1: jcommonsenseqa: label '9' is not one of"),
        dataset("jsonl: field missing", editLine(jcqa, 1, l -> l.replaceFirst("\"question\"", "\"questio\"")),
            b + jcqa + ":1: question: field missing"),
        dataset("jsonl: few-shot file truncated", editLine("jcommonsenseqa/train-v1.1.json", 5, l -> l.substring(0, 10)),
            b + "jcommonsenseqa/train-v1.1.json:5: jcommonsenseqa: not valid JSON"),
        dataset("json-array: truncated file", repo -> {
          Path f = bench(repo, "jemhopqa/dev.json");
          String t = Files.readString(f);
          Files.writeString(f, t.substring(0, t.length() / 2));
        }, b + "jemhopqa/dev.json"),
        dataset("json-array: an object, not an array", write("jemhopqa/dev.json", "{\"qid\": 1}"), b + "jemhopqa/dev.json"),
        dataset("niilc-xml: broken XML", repo -> {
          Path f = bench(repo, "niilc/NIILC-ECQA2015_test.xml");
          String t = Files.readString(f);
          Files.writeString(f, t.substring(0, t.length() / 2));
        }, b + "niilc/NIILC-ECQA2015_test.xml"),
        dataset("squad-json: duplicate question id", repo -> {
          Path f = bench(repo, "jsquad/valid-v1.1.json");
          com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.toFile());
          com.fasterxml.jackson.databind.JsonNode qas = root.get("data").get(0).get("paragraphs").get(0).get("qas");
          ((com.fasterxml.jackson.databind.node.ObjectNode) qas.get(1)).put("id", qas.get(0).get("id").asText());
          Files.writeString(f, root.toString());
        }, b + "jsquad/valid-v1.1.json#.*jsquad: example id '.*' again \\(first at " + b + "jsquad/valid-v1.1.json"),
        dataset("squad-json: no data array", write("jsquad/valid-v1.1.json", "{\"version\": \"v1.1\"}"), b + "jsquad/valid-v1.1.json"),
        dataset("xwino-tsv: a row of 4 columns", editLine("xwino_en/dataset.tsv", 2, l -> "en\tbroken\t?\tfour columns"),
            b + "xwino_en/dataset.tsv:2: xwino_en: expected 7 tab-separated columns, found 4"),
        dataset("xwino-tsv: no candidate marked correct", editLine("xwino_en/dataset.tsv", 1, l -> l.replace("true]", "false]")),
            b + "xwino_en/dataset.tsv:1: xwino_en: no candidate is flagged correct"),
        dataset("mmlu-csv: unbalanced quote", editLine("mmlu/test/anatomy_test.csv", 2, l -> "\"" + l),
            b + "mmlu/test/anatomy_test.csv:2: quote: a quoted field "),
        dataset("mmlu-csv: Latin-1 bytes", repo -> {
          Path f = bench(repo, "mmlu/test/anatomy_test.csv");
          Files.write(f, (Files.readString(f) + "Caf\u00e9 question,a,b,c,d,A\n").getBytes(StandardCharsets.ISO_8859_1));
        }, b + "mmlu/test/anatomy_test.csv:\\d+: mmlu: not UTF-8 at byte \\d+"),
        dataset("mmlu-csv: answer not A-D", editLine("mmlu/test/abstract_algebra_test.csv", 1, l -> l.substring(0, l.length() - 1) + "E"),
            b + "mmlu/test/abstract_algebra_test.csv:1: mmlu:"),
        dataset("jmmlu-csv: a subject file missing", delete("jmmlu/JMMLU/virology.csv"),
            b + "jmmlu/JMMLU/virology.csv: file: JMMLU subject file missing"),
        dataset("jmmlu-csv: a row of 5 cells", editLine("jmmlu/JMMLU/anatomy.csv", 1, l -> "質問,A,B,C,D"),
            b + "jmmlu/JMMLU/anatomy.csv:1: jmmlu: expected 6 cells"),
        dataset("hellaswag-text: truncated record", repo -> {
          Path f = bench(repo, "hellaswag/hellaswag_val_sample.txt");
          List<String> lines = Files.readAllLines(f);
          Files.write(f, lines.subList(0, lines.size() - 2));
        }, b + "hellaswag/hellaswag_val_sample.txt:\\d+: hellaswag: truncated record"),
        dataset("hellaswag-text: gold not a number", editLine("hellaswag/hellaswag_val_sample.txt", 2, l -> "three"),
            b + "hellaswag/hellaswag_val_sample.txt:2: hellaswag: gold index is not a number"),
        dataset("mgsm-tsv: answer column missing", editLine("mgsm_ja/mgsm_ja.tsv", 1, l -> l.substring(0, l.indexOf('\t'))),
            b + "mgsm_ja/mgsm_ja.tsv:1: mgsm_ja:"),
        dataset("mgsm-exemplars: not a Python literal", write("mgsm_ja/exemplars_ja.py", "MGSM_EXEMPLARS = {\"ja\": {\n"),
            b + "mgsm_ja/exemplars_ja.py"),
        dataset("parallel-text: references one line short", repo -> {
          Path f = bench(repo, "wmt20_en_ja/newstest2020.ja");
          List<String> lines = Files.readAllLines(f);
          Files.write(f, lines.subList(0, lines.size() - 1));
        }, b + "wmt20_en_ja/newstest2020"),
        dataset("openbookqa-jsonl: answer key not a label", editLine("openbookqa/test.jsonl", 1,
            l -> l.replaceFirst("\"answerKey\": ?\"[A-D]\"", "\"answerKey\": \"Z\"")), b + "openbookqa/test.jsonl:1: "),
        dataset("bbh-json: a task's CoT prompt missing", delete("bbh/cot-prompts/boolean_expressions.txt"),
            b + "bbh/cot-prompts/boolean_expressions.txt"),
        dataset("bbh-json: broken JSON", write("bbh/bbh/boolean_expressions.json", "{\"examples\": ["), b + "bbh/bbh/boolean_expressions.json"),
        // configuration files
        config("task file: HOCON syntax error", taskSetting("jcommonsenseqa", "shots = 4", "shots = 4 {"),
            c + "tasks/jcommonsenseqa.conf:\\d+: syntax:"),
        config("task file: unknown key", taskSetting("jcommonsenseqa", "shots = 4", "shots = 4\n    shotz = 5"),
            c + "tasks/jcommonsenseqa.conf:\\d+: task.prompt.shotz: unknown key"),
        config("task file: wrong type", taskSetting("jcommonsenseqa", "shots = 4", "shots = \"four\""),
            c + "tasks/jcommonsenseqa.conf:\\d+: task.prompt.shots: expected an integer"),
        config("task file: max-new-tokens = 0", taskSetting("jcommonsenseqa", "max-new-tokens = 1", "max-new-tokens = 0"),
            c + "tasks/jcommonsenseqa.conf:\\d+: task.request.max-new-tokens: must be at least 1, got 0"),
        config("task file: shots = -1", taskSetting("jcommonsenseqa", "shots = 4", "shots = -1"),
            c + "tasks/jcommonsenseqa.conf:\\d+: task.prompt.shots: must be 0 or more, got -1"),
        config("task file: top-p = 1.5", taskSetting("jcommonsenseqa", "max-new-tokens = 1", "max-new-tokens = 1\n    top-p = 1.5"),
            c + "tasks/jcommonsenseqa.conf:\\d+: task.request.top-p: must be above 0 and at most 1, got 1.5"),
        config("task file: unknown segmenter", taskSetting("wmt20_en_ja", "segmenter = \"ja-morphemes\"", "segmenter = \"juman\""),
            c + "tasks/wmt20_en_ja.conf:\\d+: task.answer.segmenter: unknown segmenter 'juman'"),
        config("task file: unknown dataset format", taskSetting("jcommonsenseqa", "format = \"jsonl\"", "format = \"jsonlines\""),
            c + "tasks/jcommonsenseqa.conf:\\d+: task.dataset.format: unknown"),
        config("task file: eval file missing", taskSetting("jcommonsenseqa", "valid-v1.1.json\"", "valid-v9.json\""),
            c + "tasks/jcommonsenseqa.conf:\\d+: task.dataset.eval-file:"),
        config("suite: unknown task", write("conf/suites/malformed.conf", "suite { id = \"malformed\", tasks = [\"no_such_task\"] }\n"),
            c + "suites/malformed.conf:\\d+: suite.tasks:"),
        config("suite: negative limit", write("conf/suites/malformed.conf",
            "suite { id = \"malformed\", tasks = [\"jcommonsenseqa\"], limits { jcommonsenseqa = -2 } }\n"),
            c + "suites/malformed.conf:\\d+: suite.limits.jcommonsenseqa: must be 0 \\(all examples\\) or more, got -2"),
        config("model registry: unknown key", replaceText("conf/models/kansoku-tiny-llama.conf", "revision =", "revisoin = \"x\"\n  revision ="),
            c + "models/kansoku-tiny-llama.conf:\\d+: model.revisoin: unknown key"),
        // command-line values
        cli("limit = -3", List.of("-Dkansoku.limit=-3"), ".*kansoku.limit: must be 0 or more, got -3"),
        cli("unknown model id", List.of("--models", "no-such-model"), ".*no-such-model"),
        cli("unknown suite", List.of("--suite", "no-such-suite"), ".*kansoku.suite: suite file .*no-such-suite.conf does not exist"),
        cli("unknown setting", List.of("-Dkansoku.inference.batch-sise=4"), ".*kansoku.inference.batch-sise: unknown key"),
        cli("max-bad-row-share = 2", List.of("-Dkansoku.max-bad-row-share=2"), ".*kansoku.max-bad-row-share: must be between 0 and 1, got 2"),
        // the results directory
        new Case("results: a file stands where the directory should be", repo -> Files.writeString(tmp.resolve("a-file"), "x"),
            List.of("--results", "{tmp}/a-file"), "kansoku.results-dir .*a-file: a file is in the way")
    );
  }
}

package dev.kansoku.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path tmp;

  /** A copy of the repository's conf/ in a temp dir whose parent also has the data/ the files point at. */
  private Path copyConf() throws IOException {
    Path root = tmp.resolve("repo");
    TestPaths.copyTree(TestPaths.CONF, root.resolve("conf"));
    Files.createSymbolicLink(root.resolve("data"), TestPaths.REPO.resolve("data"));
    return root.resolve("conf");
  }

  private static void replaceIn(Path file, String from, String to) throws IOException {
    String s = Files.readString(file);
    assertTrue(s.contains(from), "fixture text not found in " + file);
    Files.writeString(file, s.replace(from, to));
  }

  @Test
  void loadsTheDemoDefaults() {
    ResolvedRun run = new ConfigLoader(TestPaths.CONF).load(null, Map.of());
    assertEquals("demo", run.suiteId());
    assertEquals(java.util.List.of("jcommonsenseqa", "jemhopqa", "niilc", "jsquad", "mgsm_ja", "wmt20_en_ja", "wmt20_ja_en",
            "jmmlu", "jhumaneval", "openbookqa", "hellaswag", "xwino_en", "mmlu", "gsm8k", "bbh", "humaneval"),
        run.tasks().stream().map(TaskSpec::id).toList());
    assertEquals(java.util.List.of("xlsum_ja", "triviaqa", "squad2"),
        run.skippedTasks().stream().map(n -> n.substring(0, n.indexOf(':'))).toList(), "tasks without bundled data are skipped");
    assertEquals(16, run.tasks().get(2).limit(), "suite limits apply per task");
    assertEquals(5, run.tasks().get(8).limit());
    assertEquals(0, run.tasks().get(0).limit());
    assertEquals("kansoku-tiny-llama", run.models().get(0).id());
    assertEquals(8, run.settings().batchSize());
  }

  @Test
  void overridesFollowPrecedence() throws IOException {
    Path override = tmp.resolve("override.conf");
    Files.writeString(override, "kansoku { limit = 7, inference.batch-size = 3 }");
    ResolvedRun run = new ConfigLoader(TestPaths.CONF).load(override, Map.of("kansoku.inference.batch-size", "5"));
    assertEquals(7, run.settings().limit());
    assertEquals(5, run.settings().batchSize(), "-D beats --conf");
  }

  @Test
  void sparkSettingsReachSparkUnderTheirOwnNames() throws IOException {
    // issue 18: a quoted key came back from HOCON with its quotes and SparkConf ignored it (executors were handed
    // the machine's host name although spark.driver.host was set)
    Path override = tmp.resolve("spark.conf");
    Files.writeString(override, "kansoku.spark.settings { \"spark.driver.host\" = \"127.0.0.1\", spark.executor.memory = 900m }");
    ResolvedRun run = new ConfigLoader(TestPaths.CONF).load(override, Map.of());
    assertEquals(Map.of("spark.driver.host", "127.0.0.1", "spark.executor.memory", "900m"), run.settings().sparkSettings());
    ResolvedRun fromFlag = new ConfigLoader(TestPaths.CONF).load(null,
        Map.of("kansoku.spark.settings", "{\"spark.ui.enabled\" = \"false\", \"spark.driver.host\" = \"127.0.0.1\"}"));
    assertEquals(Map.of("spark.ui.enabled", "false", "spark.driver.host", "127.0.0.1"), fromFlag.settings().sparkSettings());
  }

  @Test
  void unknownKeyNamesFileAndKey() throws IOException {
    Path override = tmp.resolve("typo.conf");
    Files.writeString(override, "kansoku {\n  inference {\n    batch-sise = 4\n  }\n}\n");
    ConfigError e = assertThrows(ConfigError.class, () -> new ConfigLoader(TestPaths.CONF).load(override, Map.of()));
    assertTrue(e.getMessage().startsWith(override + ":3: kansoku.inference.batch-sise: unknown key"), e.getMessage());
  }

  @Test
  void wrongTypeNamesFileAndKey() throws IOException {
    Path conf = copyConf();
    Path task = conf.resolve("tasks/xwino_en.conf");
    replaceIn(task, "shots = 4", "shots = four");
    ConfigError e = assertThrows(ConfigError.class, () -> new ConfigLoader(conf).load(null, Map.of()));
    assertTrue(e.getMessage().contains(task.toString()) && e.getMessage().contains("task.prompt.shots: expected an integer"), e.getMessage());
  }

  @Test
  void wrongTypeFromCommandLine() {
    ConfigError e = assertThrows(ConfigError.class,
        () -> new ConfigLoader(TestPaths.CONF).load(null, Map.of("kansoku.limit", "lots")));
    assertTrue(e.getMessage().contains("kansoku.limit: expected an integer"), e.getMessage());
  }

  @Test
  void batchTokensIsANumberOrAuto() {
    assertEquals(RunSettings.AUTO_BATCH_TOKENS, new ConfigLoader(TestPaths.CONF).load(null,
        Map.of("kansoku.inference.batch-tokens", "auto")).settings().batchTokens());
    assertEquals(4096, new ConfigLoader(TestPaths.CONF).load(null,
        Map.of("kansoku.inference.batch-tokens", "4096")).settings().batchTokens());
    ConfigError e = assertThrows(ConfigError.class,
        () -> new ConfigLoader(TestPaths.CONF).load(null, Map.of("kansoku.inference.batch-tokens", "automatic")));
    assertTrue(e.getMessage().contains("kansoku.inference.batch-tokens: expected an integer or \"auto\""), e.getMessage());
  }

  @Test
  void deviceMemorySettingsAreChecked() {
    assertEquals(new DeviceMemory(40, 0.9), new ConfigLoader(TestPaths.CONF).load(null,
        Map.of("kansoku.inference.device-memory-gib", "40", "kansoku.inference.weight-memory-share", "0.9")).settings().deviceMemory());
    ConfigError share = assertThrows(ConfigError.class,
        () -> new ConfigLoader(TestPaths.CONF).load(null, Map.of("kansoku.inference.weight-memory-share", "1.5")));
    assertTrue(share.getMessage().contains("kansoku.inference.weight-memory-share: must be above 0 and at most 1"), share.getMessage());
    ConfigError gib = assertThrows(ConfigError.class,
        () -> new ConfigLoader(TestPaths.CONF).load(null, Map.of("kansoku.inference.device-memory-gib", "-2")));
    assertTrue(gib.getMessage().contains("kansoku.inference.device-memory-gib"), gib.getMessage());
  }

  @Test
  void missingModelDirectoryNamesFileAndKey() throws IOException {
    Path conf = copyConf();
    Path model = conf.resolve("models/kansoku-tiny-llama.conf");
    replaceIn(model, "path = \"data/models/kansoku-tiny-llama\"", "path = \"data/models/nowhere\"");
    ConfigError e = assertThrows(ConfigError.class, () -> new ConfigLoader(conf).load(null, Map.of()));
    assertTrue(e.getMessage().startsWith(model + ":"), e.getMessage());
    assertTrue(e.getMessage().contains("model.path: model directory") && e.getMessage().contains("does not exist"), e.getMessage());
  }

  /** model.format is checked against the registered backends (the inference floor's vocabulary), not a list of its own. */
  @Test
  void anUnknownModelFormatNamesTheBackendsThatExist() throws IOException {
    Path conf = copyConf();
    Path model = conf.resolve("models/kansoku-tiny-llama.conf");
    replaceIn(model, "format = \"hf-llama\"", "format = \"gguf\"");
    ConfigError e = assertThrows(ConfigError.class, () -> new ConfigLoader(conf).load(null, Map.of()));
    assertTrue(e.getMessage().startsWith(model + ":") && e.getMessage().contains("model.format")
        && e.getMessage().contains("'gguf'") && e.getMessage().contains("hf-llama, onnx, openai-completions, torchscript"), e.getMessage());
  }

  @Test
  void missingDatasetFileNamesFileAndKey() throws IOException {
    Path conf = copyConf();
    Path task = conf.resolve("tasks/jcommonsenseqa.conf");
    replaceIn(task, "jcommonsenseqa/valid-v1.1.json", "jcommonsenseqa/missing.json");
    ConfigError e = assertThrows(ConfigError.class, () -> new ConfigLoader(conf).task(task));
    assertTrue(e.getMessage().startsWith(task + ":"), e.getMessage());
    assertTrue(e.getMessage().contains("task.dataset.eval-file: dataset file"), e.getMessage());
    // a suite that allows missing data runs without the task and says why; one that does not, fails
    ResolvedRun run = new ConfigLoader(conf).load(null, Map.of());
    assertTrue(run.tasks().stream().noneMatch(t -> t.id().equals("jcommonsenseqa")));
    assertTrue(run.skippedTasks().stream().anyMatch(n -> n.startsWith("jcommonsenseqa: skipped, " + task + ":")), run.skippedTasks().toString());
    replaceIn(conf.resolve("suites/demo.conf"), "skip-missing-data = true", "skip-missing-data = false");
    assertThrows(MissingDatasetException.class, () -> new ConfigLoader(conf).load(null, Map.of()));
  }

  @Test
  void aModelRegisteredTwiceNamesBothFiles() throws IOException {
    Path conf = copyConf();
    Path copy = conf.resolve("models/zz-duplicate.conf");
    Files.copy(conf.resolve("models/kansoku-tiny-llama.conf"), copy);
    ConfigError e = assertThrows(ConfigError.class, () -> new ConfigLoader(conf).load(null, Map.of()));
    assertTrue(e.getMessage().startsWith(copy + ": model.id: id 'kansoku-tiny-llama' is also used by "), e.getMessage());
  }

  @Test
  void unknownModelIdIsAnError() {
    ConfigError e = assertThrows(ConfigError.class,
        () -> new ConfigLoader(TestPaths.CONF).load(null, Map.of("kansoku.models", "[nope]")));
    assertTrue(e.getMessage().contains("kansoku.models: model 'nope' is not registered"), e.getMessage());
  }

  @Test
  void unknownMetricAndStyleAreErrors() throws IOException {
    Path conf = copyConf();
    Path task = conf.resolve("tasks/xwino_en.conf");
    replaceIn(task, "metrics = [\"acc\"]", "metrics = [\"accuracy\"]");
    ConfigError e = assertThrows(ConfigError.class, () -> new ConfigLoader(conf).load(null, Map.of()));
    assertTrue(e.getMessage().contains("task.metrics: unknown metric 'accuracy'"), e.getMessage());
  }
}

package dev.kansoku.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigError;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.inference.RandomCheckpoint;
import dev.kansoku.results.RequestRow;
import dev.kansoku.results.TableSchemas;
import dev.kansoku.task.ChatMessages;
import dev.kansoku.text.chat.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kansoku evaluate} with a task in chat form ({@code chat-template = true}): a model whose directory holds a
 * {@code chat_template.jinja} gets every request rendered by it (the requests table keeps the messages and the
 * rendering, the BOS rule drops the special tokens the template already wrote) and its scores; a model without a
 * template stops the run before anything is written, naming the model and the key.
 */
class ChatTaskEvaluateTest {
  @TempDir
  static Path tmp;
  private static Path conf;
  private static SparkSession spark;

  @BeforeAll
  static void setUp() throws Exception {
    conf = TestPaths.repoCopy(tmp);
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    Path model = tmp.resolve("tiny-chat");
    TestPaths.copyTree(TestPaths.TINY_MODEL, model);
    Files.copy(TestPaths.REPO.resolve("src/test/resources/chat-templates/chatml.jinja"), model.resolve("chat_template.jinja"));
    Files.writeString(conf.resolve("models/tiny-chat.conf"), Files.readString(conf.resolve("models/kansoku-tiny-llama.conf"))
        .replace("id = \"kansoku-tiny-llama\"", "id = \"tiny-chat\"").replace("path = \"data/models/kansoku-tiny-llama\"", "path = \"" + model + "\""));
    for (String task : List.of("openbookqa", "gsm8k")) {
      Files.writeString(conf.resolve("tasks/" + task + "_chat.conf"), Files.readString(conf.resolve("tasks/" + task + ".conf"))
          .replace("id = \"" + task + "\"", "id = \"" + task + "_chat\"\n  chat-template = true\n  fewshot-as-multiturn = true"));
    }
    Files.writeString(conf.resolve("suites/chat.conf"), "suite { id = \"chat\", tasks = [\"openbookqa_chat\", \"gsm8k_chat\"] }");
  }

  private static ResolvedRun load(String model, Path results) {
    return new ConfigLoader(conf).load(null, Map.of("kansoku.results-dir", results.toString(), "kansoku.limit", "4",
        "kansoku.suite", "chat", "kansoku.models", "[\"" + model + "\"]", "kansoku.spark.master", "local[2]",
        "kansoku.spark.settings", "{\"spark.ui.enabled\" = \"false\"}", "kansoku.inference.torch-threads", "1"));
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void aChatTaskRunsOnTheModelsTemplateAndAModelWithoutOneIsRefused() throws Exception {
    Path results = tmp.resolve("results");
    ResolvedRun run = load("tiny-chat", results);
    spark = SparkSessions.create(run.settings());
    EvaluationSummary summary = new EvaluateJob(spark, run).run();
    assertTrue(summary.toString().contains("openbookqa_chat"), summary.toString());

    ChatTemplate template = ChatTemplate.fromModelDirectory(tmp.resolve("tiny-chat")).orElseThrow();
    List<Row> requests = spark.read().parquet(results.resolve(TableSchemas.REQUESTS).toString()).collectAsList();
    assertEquals(4 * 4 + 4, requests.size(), "4 OpenBookQA questions × 4 choices, 4 GSM8K questions");
    for (Row r : requests) {
      RequestRow row = RequestRow.from(r);
      assertTrue(row.chatMessages() != null, "chat form kept");
      String rendered = ChatMessages.render(row.chatMessages(), template).context();
      assertEquals(rendered, row.context(), "the context is the model's rendering of the messages");
      assertTrue(row.context().startsWith("<s|LLM-jp><|im_start|>system\n"), row.context());
      assertFalse(row.addSpecialTokens(), "the template wrote the BOS token: no second one");
      if (row.requestKind().label().equals("loglikelihood")) {
        assertFalse(row.continuation().startsWith(" "), "chat form scores a choice without the target delimiter");
      }
    }
    long scores = spark.read().parquet(results.resolve(TableSchemas.TASK_SCORES).toString())
        .filter("task_id in ('openbookqa_chat', 'gsm8k_chat')").count();
    assertTrue(scores >= 2, "task scores written: " + scores);

    Path untouched = tmp.resolve("results-plain-model");
    ConfigError e = assertThrows(ConfigError.class, () -> new EvaluateJob(spark, load("kansoku-tiny-llama", untouched)).run());
    assertTrue(e.getMessage().contains("task.chat-template") && e.getMessage().contains("kansoku-tiny-llama")
        && e.getMessage().contains("has no chat template"), e.getMessage());
    assertFalse(Files.exists(untouched.resolve(TableSchemas.REQUESTS)), "nothing written");
  }
}

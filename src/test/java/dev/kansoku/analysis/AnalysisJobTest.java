package dev.kansoku.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.cli.KansokuCli;
import dev.kansoku.config.AnalysisSettings;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.pipeline.SparkSessions;
import dev.kansoku.results.TableSchemas;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The analyze job on the bundled published matrix (35 models × 19 tasks), through Spark MLlib. */
class AnalysisJobTest {
  @TempDir
  static Path tmp;
  static SparkSession spark;
  static AnalysisOutcome outcome;
  static Map<String, ModelSpec> registry;
  static Path results;

  @BeforeAll
  static void analyze() throws Exception {
    results = tmp.resolve("results");
    ResolvedRun run = load(Map.of());
    registry = new ConfigLoader(TestPaths.CONF).loadModels();
    spark = SparkSessions.create(run.settings());
    outcome = new AnalysisJob(spark, run.settings().analysis(), run.settings().resultsDir(), registry).run();
  }

  static ResolvedRun load(Map<String, String> extra) {
    Map<String, String> o = new java.util.LinkedHashMap<>(Map.of(
        "kansoku.results-dir", results.toString(),
        "kansoku.spark.master", "local[2]",
        "kansoku.spark.settings", "{\"spark.ui.enabled\" = \"false\"}",
        "kansoku.analysis.bootstrap", "40"));
    o.putAll(extra);
    return new ConfigLoader(TestPaths.CONF).load(null, o);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static List<String> topLoadings(PcaResult p, int component, int n) {
    return IntStream.range(0, p.tasks().size()).boxed()
        .sorted(Comparator.comparingDouble(t -> -p.loadings()[t][component]))
        .limit(n).map(p.tasks()::get).toList();
  }

  @Test
  void reproducesTheStudysFactorStructure() {
    PcaResult p = outcome.primary();
    assertEquals(35, p.models().size());
    assertEquals(19, p.tasks().size());
    assertEquals(Set.of("niilc", "wmt20_en_ja", "jemhopqa"), Set.copyOf(topLoadings(p, 1, 3)), "PC2 = Japanese factor");
    assertTrue(Set.of("humaneval", "jhumaneval", "mgsm_ja", "gsm8k").containsAll(topLoadings(p, 2, 4)),
        "PC3 = code and math: " + topLoadings(p, 2, 4));
    for (int t = 0; t < p.tasks().size(); t++) {
      assertTrue(p.loadings()[t][0] > 0, "PC1 is a general factor: every loading positive");
    }
    assertTrue(p.explainedVarianceRatio()[0] > 0.5);
    assertEquals(1.0, java.util.Arrays.stream(p.explainedVarianceRatio()).sum(), 1e-9);
    for (int c = 0; c < 3; c++) {
      double[] ci = p.evrInterval()[c];
      assertTrue(ci[0] <= p.explainedVarianceRatio()[c] && p.explainedVarianceRatio()[c] <= ci[1], "interval of PC" + (c + 1));
    }
  }

  @Test
  void mllibAgreesWithThePlainEigenDecomposition() {
    PlainPca.Result plain = PlainPca.fit(PlainPca.standardize(outcome.matrix().values(), true));
    PcaResult p = outcome.primary();
    for (int c = 0; c < 5; c++) {
      assertEquals(plain.explainedVarianceRatio()[c], p.explainedVarianceRatio()[c], 1e-9);
      for (int t = 0; t < p.tasks().size(); t++) {
        assertEquals(plain.loadings()[t][c], p.loadings()[t][c], 1e-6);
      }
    }
  }

  @Test
  void japaneseFactorGrowsWithJapaneseCompute() {
    RegressionFit f = outcome.regressions().stream()
        .filter(r -> r.component().equals("PC2") && r.predictor().equals("log10_compute_ja") && r.group().equals("all"))
        .findFirst().orElseThrow();
    assertEquals(10, f.n(), "models whose Japanese tokens are disclosed or derived");
    assertEquals(25, f.excluded().size());
    assertTrue(f.slope() > 0 && f.slopeCiLow() > 0, "slope " + f.slope() + " CI low " + f.slopeCiLow());
    assertTrue(f.r2() > 0.5, "R² " + f.r2());
    assertEquals(f.pearsonR() * f.pearsonR(), f.r2(), 1e-9);
  }

  @Test
  void summaryJsonHasTheDocumentedFields() throws Exception {
    JsonNode s = new ObjectMapper().readTree(Path.of(outcome.outputDir(), "summary.json").toFile());
    assertEquals(35, s.get("models").size());
    assertEquals(19, s.get("tasks").size());
    assertTrue(s.get("standardize").asBoolean());
    assertEquals(19, s.get("explained_variance_ratio").size());
    assertEquals("PC1", s.get("components").get(0).get("name").asText());
    assertEquals(19, s.get("components").get(1).get("loadings").size());
    JsonNode reg = s.get("regressions").get(0);
    for (String key : List.of("component", "predictor", "slope", "intercept", "r2", "pearson_r", "n")) {
      assertTrue(reg.has(key), key);
    }
  }

  @Test
  void tablesMatchTheirSchemasAndPublishedScoresAreInTaskScores() {
    for (String table : AnalysisJob.TABLES) {
      StructType declared = TableSchemas.schema(table);
      StructType written = spark.read().parquet(Path.of(outcome.outputDir(), table).toString()).schema();
      assertEquals(names(declared), names(written), table);
    }
    long published = spark.read().parquet(results.resolve("task_scores").toString()).where("source = 'published'").count();
    assertEquals(35 * 19, published);
  }

  @Test
  void reportRendersInHeadlessChromiumWithEveryImage() throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    if (!Files.isExecutable(chromium)) {
      // CI installs Debian's chromium; there this test must run, never skip
      assertFalse(System.getenv("CI") != null, "chromium is missing on CI");
      org.junit.jupiter.api.Assumptions.abort("chromium not installed");
    }
    Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + tmp.resolve("chromium-profile"), "--virtual-time-budget=10000", "--dump-dom",
        Path.of(outcome.reportPath()).toUri().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String dom = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("data-images-total=\"(\\d+)\" data-images-loaded=\"(\\d+)\"").matcher(dom);
    assertTrue(m.find(), "the page's load script did not run");
    assertTrue(Integer.parseInt(m.group(1)) >= 7, "plots: " + m.group(1));
    assertEquals(m.group(1), m.group(2), "every image decoded");
  }

  @Test
  void wrongInputsAreReportedAndTheRestIsAnalysed() throws Exception {
    // published file with an unknown model (no metadata), a non-numeric score, a duplicate row and a task
    // whose every score is unusable
    List<String> lines = Files.readAllLines(TestPaths.REPO.resolve("data/published/swallow-leaderboard-2024-07-base35.csv"));
    List<String> edited = lines.stream()
        .map(l -> l.contains(",\"BBH\",") ? l.replaceFirst(",\"BBH\",en,[0-9.]+,", ",\"BBH\",en,oops,") : l)
        .collect(Collectors.toList());
    for (String l : lines.subList(1, 20)) {
      edited.add(l.replace("CohereForAI/c4ai-command-r-v01", "acme/unregistered-model"));
    }
    edited.add(lines.get(1));
    Path csv = tmp.resolve("bad-published.csv");
    Files.write(csv, edited);
    Path otherResults = tmp.resolve("results-bad");
    ResolvedRun run = load(Map.of("kansoku.results-dir", otherResults.toString(), "kansoku.analysis.published-scores",
        csv.toString(), "kansoku.analysis.bootstrap", "0", "kansoku.analysis.report", "false"));
    AnalysisSettings s = run.settings().analysis();
    AnalysisOutcome bad = new AnalysisJob(spark, s, run.settings().resultsDir(), registry).run();
    List<String> notes = bad.notes();
    assertTrue(notes.stream().anyMatch(n -> n.contains("score 'oops'")), notes.toString());
    assertTrue(notes.stream().anyMatch(n -> n.contains("duplicate score for CohereForAI/c4ai-command-r-v01")), notes.toString());
    assertTrue(notes.contains("task bbh is scored for 1 of 36 models (below min-coverage 0.5): dropped"), notes.toString());
    assertTrue(notes.stream().anyMatch(n -> n.contains("model acme/unregistered-model has no entry in conf/models")), notes.toString());
    assertEquals(36, bad.primary().models().size());
    assertEquals(18, bad.primary().tasks().size());
    assertTrue(bad.regressions().stream().allMatch(f -> !f.models().contains("acme/unregistered-model")));
  }

  @Test
  void everyQueryInDocsQueriesRunsThroughKansokuSql() throws Exception {
    String doc = Files.readString(TestPaths.REPO.resolve("docs/queries.md"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("```sql\n(.*?)```", java.util.regex.Pattern.DOTALL).matcher(doc);
    int count = 0;
    while (m.find()) {
      java.io.StringWriter out = new java.io.StringWriter();
      java.io.StringWriter err = new java.io.StringWriter();
      int code = KansokuCli.execute(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
          "sql", "--conf-dir", TestPaths.CONF.toString(), "-Dkansoku.spark.master=local[2]", "--results", results.toString(), m.group(1));
      assertEquals(0, code, m.group(1) + "\n" + err);
      assertTrue(out.toString().matches("(?s).*\\(\\d+ rows?.*\\)\\s*"), out.toString());
      count++;
    }
    assertTrue(count >= 8, "examples found: " + count);
    // the session used by the other tests is still alive
    assertEquals(1, spark.range(1).count());
  }

  @Test
  void bestJapaneseModelQueryAnswersFromPublishedScores() {
    java.io.StringWriter out = new java.io.StringWriter();
    int code = KansokuCli.execute(new java.io.PrintWriter(out), new java.io.PrintWriter(new java.io.StringWriter()),
        "sql", "--conf-dir", TestPaths.CONF.toString(), "--results", results.toString(), "--csv",
        "SELECT model_id, value FROM task_scores WHERE task_id = 'niilc' AND source = 'published' ORDER BY value DESC LIMIT 1");
    assertEquals(0, code);
    assertEquals("model_id,value", out.toString().lines().findFirst().orElse(""));
    assertTrue(out.toString().lines().skip(1).findFirst().orElse("").matches("[^,]+,0\\.\\d+"), out.toString());
  }

  private static String names(StructType s) {
    StringBuilder b = new StringBuilder();
    for (StructField f : s.fields()) {
      b.append(f.name()).append(':').append(f.dataType().simpleString()).append(' ');
    }
    return b.toString();
  }
}

package dev.kansoku.config;

import static dev.kansoku.config.ConfigSchema.Kind.BOOLEAN;
import static dev.kansoku.config.ConfigSchema.Kind.INT;
import static dev.kansoku.config.ConfigSchema.Kind.INT_OR_AUTO;
import static dev.kansoku.config.ConfigSchema.Kind.MAP;
import static dev.kansoku.config.ConfigSchema.Kind.NUMBER;
import static dev.kansoku.config.ConfigSchema.Kind.STRING;
import static dev.kansoku.config.ConfigSchema.Kind.STRING_LIST;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads and validates Kansoku's configuration (HOCON, Typesafe Config).
 *
 * <p>Precedence, highest first: {@code -Dkansoku.x=...} (JVM system properties or the CLI's {@code -D}),
 * environment overrides ({@code CONFIG_FORCE_kansoku_results__dir=...}, Typesafe's convention), the file given
 * with {@code --conf}, then {@code <conf-dir>/application.conf}. Model, task and suite files live in
 * {@code <conf-dir>/models}, {@code tasks} and {@code suites}; relative paths inside them are resolved against
 * the parent of the conf directory (the repository root in a checkout).
 */
public final class ConfigLoader {
  static final ConfigSchema ROOT = ConfigSchema.of()
      .required("results-dir", STRING)
      .required("suite", STRING)
      .required("models", STRING_LIST)
      .required("limit", INT)
      .required("max-bad-row-share", NUMBER)
      .section("spark", true, ConfigSchema.of()
          .required("master", STRING)
          .required("app-name", STRING)
          .required("partitions", INT)
          .required("settings", MAP))
      .section("inference", true, ConfigSchema.of()
          .required("batch-size", INT)
          .required("batch-tokens", INT_OR_AUTO)
          .required("parallel-batches", INT)
          .required("commit-every", INT)
          .required("max-length", INT)
          .required("torch-threads", INT)
          .required("device-memory-gib", NUMBER)
          .required("weight-memory-share", NUMBER)
          .required("progress-seconds", INT)
          .required("model-cache-dir", STRING))
      .section("analysis", true, ConfigSchema.of()
          .required("output-dir", STRING)
          .required("published-scores", STRING)
          .required("include-published", BOOLEAN)
          .required("include-evaluated", BOOLEAN)
          .required("prefer", STRING)
          .required("prefer-by-model", MAP)
          .required("min-coverage", NUMBER)
          .required("missing", STRING)
          .required("imputation-components", INT)
          .required("standardize", BOOLEAN)
          .required("components", INT)
          .required("regression-components", INT)
          .required("bootstrap", INT)
          .required("seed", INT)
          .required("report", BOOLEAN)
          .required("exclude-origins", STRING_LIST))
      .section("sandbox", true, ConfigSchema.of()
          .required("python", STRING)
          .required("timeout-seconds", NUMBER)
          .required("wall-timeout-seconds", NUMBER)
          .required("cpu-seconds", INT)
          .required("memory-mb", INT)
          .required("max-processes", INT)
          .required("max-file-mb", INT)
          .required("max-open-files", INT)
          .required("max-output-kb", INT)
          .required("parallelism", INT)
          .required("work-dir", STRING)
          .required("allow-unisolated", BOOLEAN));

  static final ConfigSchema MODEL = ConfigSchema.of()
      .required("id", STRING)
      .optional("name", STRING)
      .required("revision", STRING)
      .nullable("path", STRING)
      .required("format", STRING)
      .optional("architecture", STRING)
      .required("dtype", STRING)
      .required("context-length", INT)
      .optional("generated-weights", BOOLEAN)
      .nullable("parameters", NUMBER)
      .nullable("parameters-active", NUMBER)
      .section("training-tokens", false, ConfigSchema.of()
          .nullable("total", NUMBER)
          .nullable("ja", NUMBER)
          .nullable("en", NUMBER))
      .optional("origin", STRING)
      .optional("backend", MAP)
      .nullable("base-model", STRING)
      .optional("description", STRING);

  static final ConfigSchema TASK = ConfigSchema.of()
      .required("id", STRING)
      .required("version", STRING)
      .required("language", STRING)
      .optional("framework", STRING)
      .optional("description", STRING)
      .optional("chat-template", BOOLEAN)
      .optional("fewshot-as-multiturn", BOOLEAN)
      .optional("system-instruction", STRING)
      .section("dataset", true, ConfigSchema.of()
          .required("format", STRING)
          .required("eval-file", STRING)
          .optional("fewshot-file", STRING)
          .optional("language-filter", STRING)
          .optional("reference-file", STRING)
          .optional("eval-split", STRING)
          .optional("fewshot-split", STRING)
          .optional("fewshot-format", STRING)
          .optional("skip-bad-rows", BOOLEAN)
          .optional("label-field", STRING)
          .optional("label-values", STRING_LIST)
          .optional("encoding", STRING)
          .optional("source", STRING)
          .optional("license", STRING))
      .section("prompt", true, ConfigSchema.of()
          .required("style", STRING)
          .required("shots", INT)
          .optional("fewshot-seed", INT)
          .optional("instruction", STRING)
          .optional("input-template", STRING)
          .optional("output-template", STRING)
          .optional("samples", INT)
          .optional("target-delimiter", STRING)
          .optional("fewshot-delimiter", STRING)
          .optional("description", STRING)
          .optional("choice-labels", STRING_LIST)
          .optional("fewshot-sampler", STRING)
          .optional("no-answer-continuation", STRING)
          .optional("gold-template", STRING)
          .optional("fewshot-extra-draw", BOOLEAN))
      .section("request", true, ConfigSchema.of()
          .required("kind", STRING)
          .required("add-special-tokens", BOOLEAN)
          .optional("max-new-tokens", INT)
          .optional("stop", STRING_LIST)
          .optional("temperature", NUMBER)
          .optional("top-p", NUMBER)
          .optional("top-k", INT)
          .optional("seed", INT))
      .section("answer", false, ConfigSchema.of()
          .optional("postprocess", STRING)
          .optional("ignore-case", BOOLEAN)
          .optional("ignore-punctuation", BOOLEAN)
          .optional("regexes-to-ignore", STRING_LIST)
          .optional("segmenter", STRING))
      .required("metrics", STRING_LIST);

  static final ConfigSchema SUITE = ConfigSchema.of()
      .required("id", STRING)
      .optional("description", STRING)
      .required("tasks", STRING_LIST)
      .optional("skip-missing-data", BOOLEAN)
      .optional("limits", MAP);

  private final Path confDir;
  private final Path baseDir;
  private final java.util.Map<Vocabulary.Kind, Registry<?>> vocabulary = Vocabulary.loaded();

  public ConfigLoader(Path confDir) {
    this(confDir, null);
  }

  /**
   * Relative paths in the configuration (models, datasets) resolve against {@code baseDir}, by default the conf
   * directory's parent. A driver that spark-submit starts on a cluster node reads a copy of conf/ shipped with the
   * application, while the data stays where the submitting checkout names it.
   */
  public ConfigLoader(Path confDir, Path baseDir) {
    this.confDir = confDir.toAbsolutePath().normalize();
    Path parent = this.confDir.getParent() == null ? this.confDir : this.confDir.getParent();
    this.baseDir = baseDir == null ? parent : baseDir.toAbsolutePath().normalize();
  }

  public Path confDir() {
    return confDir;
  }

  public Path baseDir() {
    return baseDir;
  }

  /**
   * Loads the layered configuration and validates everything a run needs, including that every file and
   * directory it names exists. Nothing is written before this succeeds.
   */
  public ResolvedRun load(Path overrideFile, Map<String, String> overrides) {
    Config merged = layered(overrideFile, overrides);
    RunSettings settings = settings(merged);
    Map<String, ModelSpec> registry = loadModels();
    List<ModelSpec> models = new ArrayList<>();
    for (String id : settings.models()) {
      ModelSpec m = registry.get(id);
      if (m == null) {
        throw new ConfigError(ConfigSchema.where(merged.getValue("kansoku.models").origin(), "configuration"),
            "kansoku.models", "model '" + id + "' is not registered in " + confDir.resolve("models")
                + " (evaluable: " + String.join(", ", registry.values().stream().filter(ModelSpec::evaluable).map(ModelSpec::id).toList()) + ")");
      }
      if (!m.evaluable()) {
        throw new ConfigError(ConfigSchema.where(merged.getValue("kansoku.models").origin(), "configuration"),
            "kansoku.models", "model '" + id + "' has no local weights (model.path is null in " + m.sourceFile()
                + "): it takes part in the analysis through published scores only");
      }
      models.add(m);
    }
    Path suiteFile = confDir.resolve("suites").resolve(settings.suite() + ".conf");
    if (!Files.isRegularFile(suiteFile)) {
      throw new ConfigError(ConfigSchema.where(merged.getValue("kansoku.suite").origin(), "configuration"),
          "kansoku.suite", "suite file " + suiteFile + " does not exist");
    }
    Config suite = parseFile(suiteFile);
    SUITE.validate(suite, "suite", suiteFile.toString());
    List<TaskSpec> tasks = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (String taskId : suite.getStringList("suite.tasks")) {
      Path taskFile = confDir.resolve("tasks").resolve(taskId + ".conf");
      if (!Files.isRegularFile(taskFile)) {
        throw new ConfigError(ConfigSchema.where(suite.getValue("suite.tasks").origin(), suiteFile.toString()),
            "suite.tasks", "task '" + taskId + "' has no file " + taskFile);
      }
      TaskSpec t;
      try {
        t = task(taskFile);
      } catch (MissingDatasetException e) {
        if (!suite.hasPath("suite.skip-missing-data") || !suite.getBoolean("suite.skip-missing-data")) {
          throw e;
        }
        skipped.add(taskId + ": skipped, " + e.getMessage());
        continue;
      }
      String limitKey = "suite.limits." + taskId;
      if (suite.hasPath(limitKey)) {
        if (suite.getInt(limitKey) < 0) {
          throw new ConfigError(ConfigSchema.where(suite.getValue(limitKey).origin(), "suite"), limitKey,
              "must be 0 (all examples) or more, got " + suite.getInt(limitKey));
        }
        t = withLimit(t, suite.getInt(limitKey));
      }
      tasks.add(t);
    }
    return new ResolvedRun(settings, suite.getString("suite.id"), tasks, models, skipped);
  }

  /** The merged {@code kansoku} configuration, before validation. */
  public Config layered(Path overrideFile, Map<String, String> overrides) {
    Path app = confDir.resolve("application.conf");
    Config defaults = Files.isRegularFile(app)
        ? parseFile(app)
        : ConfigFactory.parseResources("kansoku-defaults/application.conf", ConfigParseOptions.defaults().setAllowMissing(false));
    Config merged = defaults;
    if (overrideFile != null) {
      if (!Files.isRegularFile(overrideFile)) {
        throw new ConfigError(overrideFile.toString(), "--conf", "file does not exist");
      }
      merged = parseFile(overrideFile).withFallback(merged);
    }
    merged = ConfigFactory.systemEnvironmentOverrides().withFallback(merged);
    Map<String, String> props = new LinkedHashMap<>();
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("kansoku.")).sorted()
        .forEach(k -> props.put(k, System.getProperty(k)));
    props.putAll(overrides);
    for (Map.Entry<String, String> e : props.entrySet()) {
      merged = override(e.getKey(), e.getValue()).withFallback(merged);
    }
    try {
      return merged.resolve();
    } catch (ConfigException e) {
      throw new ConfigError(e.origin() == null ? "configuration" : ConfigSchema.where(e.origin(), "configuration"),
          "substitution", e.getMessage());
    }
  }

  /**
   * One {@code key=value} override. The value is read as HOCON, so numbers, booleans and lists keep their
   * types ({@code -Dkansoku.models=[a,b]}); anything that is not valid HOCON is taken as a plain string.
   */
  static Config override(String key, String value) {
    try {
      Config c = ConfigFactory.parseString(key + " = " + value,
          ConfigParseOptions.defaults().setOriginDescription("-D" + key));
      if (c.hasPathOrNull(key)) {
        return c;
      }
    } catch (ConfigException ignored) {
      // not HOCON: fall through to a string
    }
    return ConfigFactory.parseMap(Map.of(key, value), "-D" + key);
  }

  RunSettings settings(Config merged) {
    ROOT.validate(merged, "kansoku", confDir.resolve("application.conf").toString());
    Config k = merged.getConfig("kansoku");
    positive(k, "kansoku", "inference.batch-size");
    positive(k, "kansoku", "inference.commit-every");
    positive(k, "kansoku", "inference.max-length");
    Map<String, String> spark = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : k.getConfig("spark.settings").entrySet()) {
      // entrySet's keys are path expressions: a quoted key ("spark.driver.host" = …) comes back with its quotes,
      // which SparkConf would take as another key and ignore; the path's elements joined are Spark's key either way
      spark.put(String.join(".", com.typesafe.config.ConfigUtil.splitPath(e.getKey())), String.valueOf(e.getValue().unwrapped()));
    }
    return new RunSettings(
        location(k, "results-dir", "kansoku", "configuration"),
        k.getString("suite"),
        k.getStringList("models"),
        nonNegative(k, "limit"),
        badRowShare(k),
        k.getString("spark.master"),
        k.getString("spark.app-name"),
        k.getInt("spark.partitions"),
        spark,
        k.getInt("inference.batch-size"),
        batchTokens(k),
        nonNegative(k, "inference.parallel-batches"),
        k.getInt("inference.commit-every"),
        k.getInt("inference.max-length"),
        nonNegative(k, "inference.torch-threads"),
        deviceMemory(k),
        nonNegative(k, "inference.progress-seconds"),
        k.getString("inference.model-cache-dir").isEmpty() ? "" : localPath(k, "inference.model-cache-dir", "kansoku", "configuration").toString(),
        analysis(k.getConfig("analysis"), location(k, "results-dir", "kansoku", "configuration")),
        sandbox(k.getConfig("sandbox")));
  }

  private static DeviceMemory deviceMemory(Config k) {
    double gib = k.getDouble("inference.device-memory-gib");
    if (gib < 0) {
      throw new ConfigError(ConfigSchema.where(k.getValue("inference.device-memory-gib").origin(), "configuration"),
          "kansoku.inference.device-memory-gib", "must be 0 (as the device reports) or a positive size in GiB, got " + gib);
    }
    double share = k.getDouble("inference.weight-memory-share");
    if (share <= 0 || share > 1) {
      throw new ConfigError(ConfigSchema.where(k.getValue("inference.weight-memory-share").origin(), "configuration"),
          "kansoku.inference.weight-memory-share", "must be above 0 and at most 1, got " + share);
    }
    return new DeviceMemory(gib, share);
  }

  private static double badRowShare(Config k) {
    double share = k.getDouble("max-bad-row-share");
    if (share < 0 || share > 1) {
      throw new ConfigError(ConfigSchema.where(k.getValue("max-bad-row-share").origin(), "configuration"),
          "kansoku.max-bad-row-share", "must be between 0 and 1, got " + share);
    }
    return share;
  }

  private SandboxSettings sandbox(Config s) {
    for (String key : List.of("cpu-seconds", "memory-mb", "max-processes", "max-file-mb", "max-open-files",
        "max-output-kb", "parallelism")) {
      positive(s, "kansoku.sandbox", key);
    }
    String work = s.getString("work-dir");
    return new SandboxSettings(s.getString("python"), s.getDouble("timeout-seconds"),
        s.getDouble("wall-timeout-seconds"), s.getInt("cpu-seconds"), s.getLong("memory-mb"), s.getInt("max-processes"),
        s.getLong("max-file-mb"), s.getInt("max-open-files"), s.getInt("max-output-kb"), s.getInt("parallelism"),
        work.isEmpty() ? System.getProperty("java.io.tmpdir") : localPath(s, "work-dir", "kansoku.sandbox", "configuration").toString(),
        s.getBoolean("allow-unisolated"));
  }

  private AnalysisSettings analysis(Config a, String resultsDir) {
    oneOf(a, "prefer", List.of("evaluated", "published"));
    oneOf(a, "missing", List.of("impute", "drop"));
    positive(a, "kansoku.analysis", "imputation-components");
    positive(a, "kansoku.analysis", "components");
    double coverage = a.getDouble("min-coverage");
    if (coverage < 0 || coverage > 1) {
      throw new ConfigError(ConfigSchema.where(a.getValue("min-coverage").origin(), "configuration"),
          "kansoku.analysis.min-coverage", "must be between 0 and 1, got " + coverage);
    }
    Map<String, String> preferByModel = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : a.getConfig("prefer-by-model").root().entrySet()) {
      String v = String.valueOf(e.getValue().unwrapped());
      if (!v.equals("evaluated") && !v.equals("published")) {
        throw new ConfigError(ConfigSchema.where(e.getValue().origin(), "configuration"),
            "kansoku.analysis.prefer-by-model." + e.getKey(), "must be evaluated or published, got " + v);
      }
      preferByModel.put(e.getKey(), v);
    }
    String out = a.getString("output-dir");
    return new AnalysisSettings(
        // relative: inside the results directory, on its filesystem
        URI_SCHEME.matcher(out).lookingAt() || Path.of(out).isAbsolute() ? location(a, "output-dir", "kansoku.analysis", "configuration")
            : inside(resultsDir, out),
        localPath(a, "published-scores", "kansoku.analysis", "configuration").toString(),
        a.getBoolean("include-published"),
        a.getBoolean("include-evaluated"),
        a.getString("prefer"),
        preferByModel,
        coverage,
        a.getString("missing"),
        a.getInt("imputation-components"),
        a.getBoolean("standardize"),
        a.getInt("components"),
        a.getInt("regression-components"),
        a.getInt("bootstrap"),
        a.getLong("seed"),
        a.getBoolean("report"),
        a.getStringList("exclude-origins"));
  }

  private static void oneOf(Config c, String key, List<String> allowed) {
    String v = c.getString(key);
    if (!allowed.contains(v)) {
      throw new ConfigError(ConfigSchema.where(c.getValue(key).origin(), "configuration"), "kansoku.analysis." + key,
          "must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
    }
  }

  /** All models registered in {@code conf/models}, validated, keyed by id. */
  public Map<String, ModelSpec> loadModels() {
    Map<String, ModelSpec> out = new LinkedHashMap<>();
    for (Path file : confFiles("models")) {
      ModelSpec m = model(file);
      ModelSpec previous = out.put(m.id(), m);
      if (previous != null) {
        throw new ConfigError(file.toString(), "model.id", "id '" + m.id() + "' is also used by " + previous.sourceFile());
      }
    }
    return out;
  }

  ModelSpec model(Path file) {
    Config c = parseFile(file);
    MODEL.validate(c, "model", file.toString());
    Config m = c.getConfig("model");
    String format = m.getString("format");
    String dir = null;
    if (m.hasPath("path")) {
      dir = modelDir(m, file);
      if (!Files.isDirectory(Path.of(dir)) && !REMOTE.matcher(dir).lookingAt()) {
        throw new ConfigError(ConfigSchema.where(m.getValue("path").origin(), file.toString()), "model.path",
            "model directory " + dir + " does not exist");
      }
      try {
        vocabulary.get(Vocabulary.Kind.MODEL_FORMAT).require(format);
      } catch (IllegalArgumentException e) {
        throw new ConfigError(ConfigSchema.where(m.getValue("format").origin(), file.toString()), "model.format", e.getMessage());
      }
    }
    if (!ModelSpec.DTYPES.contains(m.getString("dtype"))) {
      throw new ConfigError(ConfigSchema.where(m.getValue("dtype").origin(), file.toString()), "model.dtype",
          "unsupported dtype '" + m.getString("dtype") + "' (supported: " + String.join(", ", ModelSpec.DTYPES) + ")");
    }
    return new ModelSpec(
        m.getString("id"),
        m.hasPath("name") ? m.getString("name") : m.getString("id"),
        m.getString("revision"),
        dir,
        format,
        m.getString("dtype"),
        m.getInt("context-length"),
        m.hasPath("generated-weights") && m.getBoolean("generated-weights"),
        optionalDouble(m, "parameters"),
        optionalDouble(m, "parameters-active"),
        optionalDouble(m, "training-tokens.total"),
        optionalDouble(m, "training-tokens.ja"),
        optionalDouble(m, "training-tokens.en"),
        m.hasPath("origin") ? m.getString("origin") : "unknown",
        m.hasPath("base-model") ? m.getString("base-model") : null,
        file.toString(),
        backendOptions(m));
  }

  /** {@code model.backend}: its format's backend checks the keys and values (a served model's endpoint, say). */
  private static Map<String, String> backendOptions(Config m) {
    if (!m.hasPath("backend")) {
      return Map.of();
    }
    Map<String, String> out = new java.util.TreeMap<>();
    m.getConfig("backend").entrySet().forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue().unwrapped())));
    return java.util.Collections.unmodifiableMap(out);
  }

  public TaskSpec task(Path file) {
    return task(file, Map.of());
  }

  /**
   * A task file with some of its keys replaced (paths under {@code task.}, e.g. {@code task.dataset.eval-file}),
   * validated like the file itself: how a run or a test points a task at other copies of its data.
   */
  public TaskSpec task(Path file, Map<String, ?> overrides) {
    Config c = com.typesafe.config.ConfigFactory.parseMap(overrides, "overrides of " + file).withFallback(parseFile(file));
    TASK.validate(c, "task", file.toString());
    Config t = c.getConfig("task");
    String where = file.toString();
    RequestKind kind;
    try {
      kind = RequestKind.parse(t.getString("request.kind"));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(ConfigSchema.where(t.getValue("request.kind").origin(), where), "task.request.kind", e.getMessage());
    }
    if (kind == RequestKind.GENERATE_UNTIL && !t.hasPath("request.max-new-tokens")) {
      throw new ConfigError(ConfigSchema.where(t.getValue("request").origin(), where), "task.request.max-new-tokens",
          "required for generate_until requests");
    }
    if (kind == RequestKind.GENERATE_UNTIL) {
      inRange(t, where, "request.max-new-tokens", 1, Double.MAX_VALUE, "at least 1");
    }
    inRange(t, where, "prompt.shots", 0, Double.MAX_VALUE, "0 or more");
    inRange(t, where, "prompt.samples", 1, Double.MAX_VALUE, "at least 1");
    inRange(t, where, "request.temperature", 0, Double.MAX_VALUE, "0 (greedy) or more");
    inRange(t, where, "request.top-p", Double.MIN_VALUE, 1, "above 0 and at most 1");
    inRange(t, where, "request.top-k", 0, Double.MAX_VALUE, "0 (off) or more");
    known(t, "dataset.format", where, Vocabulary.Kind.DATASET_FORMAT, t.getString("dataset.format"));
    if (t.hasPath("dataset.fewshot-format")) {
      known(t, "dataset.fewshot-format", where, Vocabulary.Kind.DATASET_FORMAT, t.getString("dataset.fewshot-format"));
    }
    known(t, "prompt.style", where, Vocabulary.Kind.PROMPT_STYLE, t.getString("prompt.style"));
    if (t.hasPath("answer.postprocess")) {
      known(t, "answer.postprocess", where, Vocabulary.Kind.ANSWER_POSTPROCESS, t.getString("answer.postprocess"));
    }
    if (t.hasPath("dataset.encoding")) {
      String encoding = t.getString("dataset.encoding");
      if (!java.nio.charset.Charset.isSupported(encoding)) {
        throw new ConfigError(ConfigSchema.where(t.getValue("dataset.encoding").origin(), where), "task.dataset.encoding",
            "unknown character set '" + encoding + "' (e.g. UTF-8, Shift_JIS, EUC-JP, ISO-8859-1)");
      }
      if (!TaskSpec.Dataset.TEXT_FORMATS.contains(t.getString("dataset.format")) && !java.nio.charset.Charset.forName(encoding)
          .equals(java.nio.charset.StandardCharsets.UTF_8)) {
        throw new ConfigError(ConfigSchema.where(t.getValue("dataset.encoding").origin(), where), "task.dataset.encoding",
            "format '" + t.getString("dataset.format") + "' is read as UTF-8 (JSON by its RFC, XML by its own declaration); "
                + "encodings apply to " + TaskSpec.Dataset.TEXT_FORMATS);
      }
    }
    if (t.hasPath("answer.segmenter") && !TaskSpec.Answer.SEGMENTERS.contains(t.getString("answer.segmenter"))) {
      throw new ConfigError(ConfigSchema.where(t.getValue("answer.segmenter").origin(), where), "task.answer.segmenter",
          "unknown segmenter '" + t.getString("answer.segmenter") + "' (known: none, kuromoji, mecab; ja-morphemes = kuromoji)");
    }
    for (String metric : t.getStringList("metrics")) {
      known(t, "metrics", where, Vocabulary.Kind.METRIC, metric);
    }
    if (t.hasPath("prompt.fewshot-sampler")) {
      String sampler = t.getString("prompt.fewshot-sampler");
      if (!List.of("random", "first-n").contains(sampler)) {
        throw new ConfigError(ConfigSchema.where(t.getValue("prompt.fewshot-sampler").origin(), where), "task.prompt.fewshot-sampler",
            "unknown sampler '" + sampler + "' (known: random, first-n)");
      }
    }
    String hint = t.hasPath("dataset.source") ? t.getString("dataset.source") : null;
    String evalFile = existingFile(t, "dataset.eval-file", where, hint);
    String fewshotFile = t.hasPath("dataset.fewshot-file") ? existingFile(t, "dataset.fewshot-file", where, hint) : evalFile;
    String referenceFile = t.hasPath("dataset.reference-file") ? existingFile(t, "dataset.reference-file", where, hint) : null;
    return new TaskSpec(
        t.getString("id"),
        t.getString("version"),
        t.getString("language"),
        t.hasPath("framework") ? t.getString("framework") : "",
        new TaskSpec.Dataset(t.getString("dataset.format"), evalFile, fewshotFile,
            optString(t, "dataset.language-filter", null), referenceFile,
            optString(t, "dataset.eval-split", null), optString(t, "dataset.fewshot-split", null),
            optString(t, "dataset.fewshot-format", null), hint,
            t.hasPath("dataset.skip-bad-rows") && t.getBoolean("dataset.skip-bad-rows"),
            optString(t, "dataset.label-field", null),
            t.hasPath("dataset.label-values") ? t.getStringList("dataset.label-values") : List.of(),
            optString(t, "dataset.encoding", "UTF-8")),
        new TaskSpec.Prompt(
            t.getString("prompt.style"),
            t.getInt("prompt.shots"),
            t.hasPath("prompt.fewshot-seed") ? t.getLong("prompt.fewshot-seed") : 1234L,
            optString(t, "prompt.instruction", ""),
            optString(t, "prompt.input-template", ""),
            optString(t, "prompt.output-template", ""),
            optString(t, "prompt.target-delimiter", " "),
            optString(t, "prompt.fewshot-delimiter", "\n\n"),
            t.hasPath("prompt.samples") ? t.getInt("prompt.samples") : 1,
            optString(t, "prompt.description", ""),
            t.hasPath("prompt.choice-labels") ? t.getStringList("prompt.choice-labels") : List.of(),
            optString(t, "prompt.fewshot-sampler", "random"),
            optString(t, "prompt.no-answer-continuation", null),
            optString(t, "prompt.gold-template", null),
            t.hasPath("prompt.fewshot-extra-draw") && t.getBoolean("prompt.fewshot-extra-draw")),
        new TaskSpec.Request(
            kind,
            t.getBoolean("request.add-special-tokens"),
            t.hasPath("request.max-new-tokens") ? t.getInt("request.max-new-tokens") : 0,
            t.hasPath("request.stop") ? t.getStringList("request.stop") : List.of(),
            t.hasPath("request.temperature") ? t.getDouble("request.temperature") : 0.0,
            t.hasPath("request.top-p") ? t.getDouble("request.top-p") : 1.0,
            t.hasPath("request.top-k") ? t.getInt("request.top-k") : 0,
            t.hasPath("request.seed") ? t.getLong("request.seed") : 0L),
        new TaskSpec.Answer(
            optString(t, "answer.postprocess", "none"),
            t.hasPath("answer.ignore-case") && t.getBoolean("answer.ignore-case"),
            t.hasPath("answer.ignore-punctuation") && t.getBoolean("answer.ignore-punctuation"),
            t.hasPath("answer.regexes-to-ignore") ? t.getStringList("answer.regexes-to-ignore") : List.of(),
            !"none".equals(segmenter(t)),
            "mecab".equals(segmenter(t)) ? "mecab" : "kuromoji"),
        t.getStringList("metrics"),
        0,
        file.toString(),
        new TaskSpec.Chat(t.hasPath("chat-template") && t.getBoolean("chat-template"),
            !t.hasPath("fewshot-as-multiturn") || t.getBoolean("fewshot-as-multiturn"),
            optString(t, "system-instruction", null)));
  }

  /** {@code answer.segmenter}: none, kuromoji (alias ja-morphemes) or mecab (validated in task()). */
  private static String segmenter(Config t) {
    return optString(t, "answer.segmenter", "none");
  }

  private static String optString(Config t, String key, String fallback) {
    return t.hasPath(key) ? t.getString(key) : fallback;
  }

  /** Checks that a named strategy (format, style, metric) exists, reporting the key when it does not. */
  /** A name that a floor above config defines (a format, style, post-processing or metric), checked in its registry. */
  private void known(Config t, String key, String where, Vocabulary.Kind kind, String name) {
    try {
      vocabulary.get(kind).require(name);
    } catch (IllegalArgumentException e) {
      throw new ConfigError(ConfigSchema.where(t.getValue(key).origin(), where), "task." + key, e.getMessage());
    }
  }

  private static TaskSpec withLimit(TaskSpec t, int limit) {
    return new TaskSpec(t.id(), t.version(), t.language(), t.framework(), t.dataset(), t.prompt(), t.request(),
        t.answer(), t.metrics(), limit, t.sourceFile(), t.chat());
  }

  private String existingFile(Config t, String key, String where, String sourceHint) {
    Path p = localPath(t, key, "task", where);
    // a directory is a dataset too (JMMLU's and MMLU's one-CSV-per-subject folders)
    if (!Files.isRegularFile(p) && !Files.isDirectory(p)) {
      throw new MissingDatasetException(ConfigSchema.where(t.getValue(key).origin(), where), "task." + key,
          "dataset file " + p + " does not exist" + (sourceHint == null ? "" : "; the official file: " + sourceHint),
          t.getString("id"));
    }
    return p.toString();
  }

  private static void positive(Config k, String prefix, String key) {
    if (k.getInt(key) <= 0) {
      throw new ConfigError(ConfigSchema.where(k.getValue(key).origin(), "configuration"), prefix + "." + key,
          "must be positive, got " + k.getInt(key));
    }
  }

  /** A task's numeric setting outside its range is an error naming the file, line and key. */
  private static void inRange(Config t, String where, String key, double min, double max, String expected) {
    if (t.hasPath(key) && (t.getDouble(key) < min || t.getDouble(key) > max)) {
      throw new ConfigError(ConfigSchema.where(t.getValue(key).origin(), where), "task." + key,
          "must be " + expected + ", got " + t.getValue(key).unwrapped());
    }
  }

  /** {@code inference.batch-tokens}: 0 or more, or "auto" ({@link RunSettings#AUTO_BATCH_TOKENS}). */
  private static int batchTokens(Config k) {
    if ("auto".equals(k.getValue("inference.batch-tokens").unwrapped())) {
      return RunSettings.AUTO_BATCH_TOKENS;
    }
    return nonNegative(k, "inference.batch-tokens");
  }

  private static int nonNegative(Config k, String key) {
    if (k.getInt(key) < 0) {
      throw new ConfigError(ConfigSchema.where(k.getValue(key).origin(), "configuration"), "kansoku." + key,
          "must be 0 or more, got " + k.getInt(key));
    }
    return k.getInt(key);
  }

  private static Double optionalDouble(Config c, String key) {
    return c.hasPath(key) ? c.getDouble(key) : null;
  }

  public Path resolvePath(String p) {
    if (URI_SCHEME.matcher(p).lookingAt()) {
      if (!p.regionMatches(true, 0, "file:", 0, 5)) {
        // a Hadoop URI taken as a relative path wrote "<checkout>/hdfs:/…" without contacting the filesystem
        throw new IllegalArgumentException("'" + p + "': only a local path (or file:// URI) is implemented for this key; "
            + "Hadoop filesystems (hdfs://, s3a://, …) are for kansoku.results-dir, kansoku.analysis.output-dir and model.path");
      }
      return Path.of(java.net.URI.create(p)).normalize();
    }
    Path path = Path.of(p);
    return (path.isAbsolute() ? path : baseDir.resolve(path)).normalize();
  }

  /**
   * A location on any Hadoop filesystem: a URI other than {@code file:} stays that URI (Spark and Hadoop's
   * FileSystem resolve it; whether its filesystem is implemented and reachable is checked when a job starts); a local
   * path or {@code file:} URI is {@link #resolvePath resolved} as a local path.
   */
  public String resolveLocation(String p) {
    if (URI_SCHEME.matcher(p).lookingAt() && !p.regionMatches(true, 0, "file:", 0, 5)) {
      try {
        java.net.URI uri = new java.net.URI(p);
        if (uri.isOpaque() || uri.getPath() == null || uri.getPath().isEmpty()) {
          throw new IllegalArgumentException("'" + p + "': not a hierarchical URI with a path (e.g. hdfs://namenode:8020/kansoku/results)");
        }
        return uri.normalize().toString();
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("'" + p + "': not a URI (" + e.getReason() + ")");
      }
    }
    return resolvePath(p).toString();
  }

  /** A scheme other than file: (a model directory or results on a Hadoop filesystem). */
  private static final java.util.regex.Pattern REMOTE = java.util.regex.Pattern.compile("(?!file:)[A-Za-z][A-Za-z0-9+.-]+:", java.util.regex.Pattern.CASE_INSENSITIVE);

  /**
   * model.path: a local directory, or a directory on a Hadoop filesystem that executors stage to their local cache
   * (storage.ModelStaging; whether it exists is checked when a job stages it).
   */
  private String modelDir(Config m, Path file) {
    String p = m.getString("path");
    if (REMOTE.matcher(p).lookingAt()) {
      try {
        return resolveLocation(p);
      } catch (IllegalArgumentException e) {
        throw new ConfigError(ConfigSchema.where(m.getValue("path").origin(), file.toString()), "model.path", e.getMessage());
      }
    }
    return localPath(m, "path", "model", file.toString()).toString();
  }

  /** {@code relative} inside {@code dir}, a URI inside a URI ({@code Path.of} would fold its "//"). */
  private static String inside(String dir, String relative) {
    if (URI_SCHEME.matcher(dir).lookingAt()) {
      return java.net.URI.create(dir.endsWith("/") ? dir : dir + "/").resolve(relative).normalize().toString();
    }
    return Path.of(dir).resolve(relative).normalize().toString();
  }

  private String location(Config c, String key, String prefix, String file) {
    try {
      return resolveLocation(c.getString(key));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(ConfigSchema.where(c.getValue(key).origin(), file), prefix + "." + key, e.getMessage());
    }
  }

  /** A URI's scheme ({@code hdfs://}, {@code s3a://}, {@code file:/}): a single letter is a Windows drive, not a scheme. */
  private static final java.util.regex.Pattern URI_SCHEME = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:");

  /**
   * {@link #resolvePath} of {@code prefix.key} in {@code c}; a URI it cannot take is an error naming the key and where it
   * was set ({@code file} when the origin has no file).
   */
  private Path localPath(Config c, String key, String prefix, String file) {
    try {
      return resolvePath(c.getString(key));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(ConfigSchema.where(c.getValue(key).origin(), file), prefix + "." + key, e.getMessage());
    }
  }

  private List<Path> confFiles(String sub) {
    Path dir = confDir.resolve(sub);
    if (!Files.isDirectory(dir)) {
      throw new ConfigError(dir.toString(), sub, "configuration directory does not exist");
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    } catch (IOException e) {
      throw new ConfigError(dir.toString(), sub, "cannot list: " + e.getMessage());
    }
  }

  static Config parseFile(Path file) {
    try {
      return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
    } catch (ConfigException e) {
      // Typesafe prefixes "<file>: <line>: " itself: say it once, as file:line, and keep one line
      String msg = e.getMessage().lines().findFirst().orElse(e.getMessage());
      int line = e.origin() != null ? e.origin().lineNumber() : -1;
      String prefix = e.origin() != null ? e.origin().description() + ": " : "";
      if (msg.startsWith(prefix)) {
        msg = msg.substring(prefix.length());
      }
      msg = msg.replaceFirst("^" + java.util.regex.Pattern.quote(file.toString()) + ": (\\d+: )?", "");
      throw new ConfigError(line > 0 ? file + ":" + line : file.toString(), "syntax", msg);
    }
  }
}

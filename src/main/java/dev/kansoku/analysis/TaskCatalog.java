package dev.kansoku.analysis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The 19 tasks of the Swallow suite: canonical ids (the benchmark folder names), the leaderboard's names
 * for them, language and the metric that enters the score matrix. The only place leaderboard names are
 * mapped.
 */
public final class TaskCatalog {
  /** One task: canonical id, leaderboard column name, language, display label and matrix metric. */
  public record TaskInfo(String id, String leaderboardName, String language, String label, String metric) {}

  public static final List<TaskInfo> SWALLOW = List.of(
      new TaskInfo("jcommonsenseqa", "JCom", "ja", "JCommonsenseQA", "exact_match"),
      new TaskInfo("jemhopqa", "JEMHopQA", "ja", "JEMHopQA", "char_f1"),
      new TaskInfo("niilc", "NIILC", "ja", "NIILC", "char_f1"),
      new TaskInfo("jsquad", "JSQuAD", "ja", "JSQuAD", "char_f1"),
      new TaskInfo("xlsum_ja", "XL-Sum", "ja", "XL-Sum (ja)", "rouge2"),
      new TaskInfo("mgsm_ja", "MGSM", "ja", "MGSM (ja)", "exact_match"),
      new TaskInfo("wmt20_en_ja", "WMT20 (en-ja)", "ja", "WMT20 en→ja", "bleu"),
      new TaskInfo("wmt20_ja_en", "WMT20 (ja-en)", "ja", "WMT20 ja→en", "bleu"),
      new TaskInfo("jmmlu", "JMMLU", "ja", "JMMLU", "exact_match"),
      new TaskInfo("jhumaneval", "JHumanEval", "ja", "JHumanEval", "pass@1"),
      new TaskInfo("openbookqa", "OpenBookQA", "en", "OpenBookQA", "acc"),
      new TaskInfo("triviaqa", "TriviaQA", "en", "TriviaQA", "exact_match"),
      new TaskInfo("hellaswag", "HellaSwag", "en", "HellaSwag", "acc"),
      new TaskInfo("squad2", "SQuAD2", "en", "SQuAD2", "exact"),
      new TaskInfo("xwino_en", "XWINO", "en", "XWINO", "acc"),
      new TaskInfo("mmlu", "MMLU", "en", "MMLU", "acc"),
      new TaskInfo("gsm8k", "GSM8K", "en", "GSM8K", "exact_match"),
      new TaskInfo("bbh", "BBH", "en", "BBH", "exact_match"),
      new TaskInfo("humaneval", "HumanEval", "en", "HumanEval", "pass@1"));

  private static final Map<String, TaskInfo> BY_ID = new LinkedHashMap<>();
  private static final Map<String, TaskInfo> BY_LEADERBOARD = new LinkedHashMap<>();

  static {
    for (TaskInfo t : SWALLOW) {
      BY_ID.put(t.id(), t);
      BY_LEADERBOARD.put(t.leaderboardName(), t);
    }
  }

  private TaskCatalog() {}

  public static Optional<TaskInfo> byLeaderboardName(String name) {
    return Optional.ofNullable(BY_LEADERBOARD.get(name));
  }

  public static Optional<TaskInfo> byId(String id) {
    return Optional.ofNullable(BY_ID.get(id));
  }

  /** Position in the suite's canonical order (Japanese tasks first); unknown tasks sort last. */
  public static int order(String taskId) {
    int i = 0;
    for (String id : BY_ID.keySet()) {
      if (id.equals(taskId)) {
        return i;
      }
      i++;
    }
    return Integer.MAX_VALUE;
  }

  /** The metric of a task that enters the score matrix; unknown tasks use their first metric. */
  public static String matrixMetric(String taskId, String fallback) {
    TaskInfo t = BY_ID.get(taskId);
    return t == null ? fallback : t.metric();
  }

  public static String label(String taskId) {
    TaskInfo t = BY_ID.get(taskId);
    return t == null ? taskId : t.label();
  }
}

package dev.kansoku.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * One HumanEval-format problem ({@code task_id, prompt, entry_point, canonical_solution, test}), as in
 * openai/human-eval's {@code HumanEval.jsonl.gz} and KuramitsuLab's {@code jhuman-eval.jsonl.gz}.
 */
public record HumanEvalProblem(String taskId, String prompt, String entryPoint, String canonicalSolution, String test) {
  /**
   * bigcode-evaluation-harness {@code humaneval} stop words: generation is cut at the first of them.
   */
  public static final List<String> STOP_WORDS = List.of("\nclass", "\ndef", "\n#", "\n@", "\nprint", "\nif", "\n```", "<file_sep>");

  /** The program bigcode-evaluation-harness executes: candidate, a newline, then "\n" + test + "\n" + check(entry_point). */
  public String program(String completion) {
    return prompt + stopAtStopWord(completion) + "\n" + "\n" + test + "\n" + "check(" + entryPoint + ")";
  }

  /** Cuts a completion before the first stop word, as {@code Task._stop_at_stop_token}. */
  public static String stopAtStopWord(String completion) {
    int cut = completion.length();
    for (String stop : STOP_WORDS) {
      int at = completion.indexOf(stop);
      if (at != -1 && at < cut) {
        cut = at;
      }
    }
    return completion.substring(0, cut);
  }

  /** Reads a {@code .jsonl} or {@code .jsonl.gz} file; a malformed record names the file and line. */
  public static Map<String, HumanEvalProblem> load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "HumanEval problems file not found (openai/human-eval "
          + "data/HumanEval.jsonl.gz, or KuramitsuLab/jhuman-eval data/jhuman-eval.jsonl.gz)");
    }
    ObjectMapper json = new ObjectMapper();
    Map<String, HumanEvalProblem> out = new LinkedHashMap<>();
    try (InputStream raw = Files.newInputStream(file);
         InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = json.readTree(line);
        for (String field : List.of("task_id", "prompt", "entry_point", "canonical_solution", "test")) {
          if (n == null || !n.hasNonNull(field)) {
            throw new IOException(file + ":" + lineNo + ": record has no '" + field + "'");
          }
        }
        HumanEvalProblem p = new HumanEvalProblem(n.get("task_id").asText(), n.get("prompt").asText(),
            n.get("entry_point").asText(), n.get("canonical_solution").asText(), n.get("test").asText());
        out.put(p.taskId(), p);
      }
    }
    return out;
  }
}

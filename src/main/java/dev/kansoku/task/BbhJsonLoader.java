package dev.kansoku.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * BIG-Bench Hard as Suzgun et al. publish it: {@code bbh/<task>.json} ({@code {"examples": [{"input",
 * "target"}]}}) and, beside it, {@code cot-prompts/<task>.txt} (a canary line, "-----", then the task
 * description and three chain-of-thought exemplars). The eval file is the {@code bbh/} folder; tasks in name
 * order. Fields: input, target, subject (the task), cot_prompt = the part of the prompt file after
 * "\n-----\n", and that text split at its first blank line into cot_description and cot_shots —
 * lm-evaluation-harness v0.4.2's {@code bbh_cot_fewshot} description and doc_to_text prefix (checked for all
 * 27 tasks by PromptGoldensTest against the harness's own rendering).
 */
public final class BbhJsonLoader implements DatasetLoader {
  /** Tasks whose v0.4.2 YAML description spans more than the prompt file's first paragraph. */
  private static final java.util.Map<String, Integer> DESCRIPTION_PARAGRAPHS = java.util.Map.of("snarks", 2);

  @Override
  public LoadedDataset load(Path dir, Selection selection) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new DatasetFormatException(dir.toString(), "eval-file", "expected the BBH folder of <task>.json files");
    }
    Path prompts = dir.resolveSibling("cot-prompts");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    for (Path file : files) {
      String task = file.getFileName().toString().replaceFirst("\\.json$", "");
      Path promptFile = prompts.resolve(task + ".txt");
      if (!Files.isRegularFile(promptFile)) {
        throw new DatasetFormatException(promptFile.toString(), "file", "chain-of-thought prompt for BBH task '" + task + "' missing");
      }
      String promptText = Files.readString(promptFile, StandardCharsets.UTF_8);
      int cut = promptText.lastIndexOf("\n-----\n");
      String cot = cut < 0 ? promptText : promptText.substring(cut + "\n-----\n".length());
      JsonNode examples = JsonRecords.readFile(file).path("examples");
      if (!examples.isArray()) {
        throw new DatasetFormatException(file.toString(), "examples", "expected an 'examples' array");
      }
      for (int i = 0; i < examples.size(); i++) {
        JsonNode e = examples.get(i);
        if (!e.hasNonNull("input") || !e.hasNonNull("target") || e.get("target").asText().isEmpty()) {
          errors.add(new LoadedDataset.RowError(file.toString(), 0, "examples[" + i + "]: needs input and a non-empty target"));
          continue;
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("input", e.get("input").asText());
        f.put("target", e.get("target").asText());
        f.put("subject", task);
        f.put("cot_prompt", cot);
        // v0.4.2's YAML: description = the text before the first blank line + "\n\n", doc_to_text starts with the
        // rest; snarks' YAML alone takes two paragraphs (its definition of sarcasm) into the description
        int blank = cot.indexOf("\n\n");
        for (int p = 1; p < DESCRIPTION_PARAGRAPHS.getOrDefault(task, 1) && blank >= 0; p++) {
          blank = cot.indexOf("\n\n", blank + 2);
        }
        f.put("cot_description", blank < 0 ? cot : cot.substring(0, blank));
        f.put("cot_shots", blank < 0 ? "" : cot.substring(blank + 2));
        docs.add(new Doc(task + "/" + i, f, file + "#examples[" + i + "]"));
      }
    }
    return new LoadedDataset(docs, errors);
  }
}

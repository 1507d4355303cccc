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
 * order. Fields: input, target, subject (the task) and cot_prompt = the part of the prompt file after
 * "\n-----\n" — lm-evaluation-harness v0.4.2's {@code bbh_cot_fewshot} description + doc_to_text prefix are
 * exactly that text split at its first blank line (checked for all 27 tasks).
 */
public final class BbhJsonLoader implements DatasetLoader {
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
        docs.add(new Doc(task + "/" + i, f, file + "#examples[" + i + "]"));
      }
    }
    return new LoadedDataset(docs, errors);
  }
}

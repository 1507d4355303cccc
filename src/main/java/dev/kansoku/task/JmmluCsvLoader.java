package dev.kansoku.task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JMMLU's folder of 53 subject CSVs (no header: question, A, B, C, D, answer letter), split as llm-jp-eval
 * v1.3.0 splits it: {@code random.seed(42)}; per subject, in llm-jp-eval's own subject order, shuffle and
 * put the first half in "dev", the rest in "test"; shuffle both pools; "train" (the few-shot pool) = first
 * 16 of dev + first 16 of test, "dev" = dev[16:], "test" = test[16:]. The subject order is the reference's,
 * not alphabetical: the random stream depends on it. Select the split with {@code dataset.eval-split} /
 * {@code fewshot-split}; fields: question, A, B, C, D, answer, subject.
 *
 * <p>A row with the wrong number of cells or an answer outside A–D is reported and left out (llm-jp-eval
 * would fail on it); leaving it out changes the shuffle, so such a file no longer matches the reference.
 */
public final class JmmluCsvLoader implements DatasetLoader {
  /** llm-jp-eval v1.3.0 {@code datasets/jmmlu.py} FILENAMES, in its order. */
  static final List<String> SUBJECTS = List.of(
      "econometrics", "human_aging", "high_school_psychology", "professional_medicine", "electrical_engineering",
      "college_mathematics", "medical_genetics", "formal_logic", "nutrition", "prehistory", "world_religions",
      "japanese_history", "high_school_geography", "international_law", "logical_fallacies", "human_sexuality",
      "philosophy", "college_medicine", "professional_accounting", "high_school_mathematics", "global_facts",
      "business_ethics", "high_school_chemistry", "college_physics", "high_school_statistics", "moral_disputes",
      "high_school_biology", "miscellaneous", "high_school_macroeconomics", "high_school_computer_science",
      "abstract_algebra", "elementary_mathematics", "jurisprudence", "security_studies", "high_school_physics",
      "college_computer_science", "public_relations", "management", "computer_security", "college_chemistry",
      "anatomy", "high_school_european_history", "machine_learning", "virology", "high_school_microeconomics",
      "astronomy", "world_history", "college_biology", "clinical_knowledge", "conceptual_physics",
      "professional_psychology", "sociology", "marketing");
  static final int NUM_TRAIN_EXAMPLES = 32;
  private static final Set<String> LETTERS = Set.of("A", "B", "C", "D");

  @Override
  public LoadedDataset load(Path dir, Selection selection) throws IOException {
    String split = selection.split() == null ? "test" : selection.split();
    if (!Set.of("train", "dev", "test").contains(split)) {
      throw new IllegalArgumentException("JMMLU split must be train, dev or test, not '" + split + "'");
    }
    if (!Files.isDirectory(dir)) {
      throw new DatasetFormatException(dir.toString(), "eval-file", "expected the JMMLU folder of subject CSVs");
    }
    PythonRandom random = new PythonRandom(42);
    List<Doc> dev = new ArrayList<>();
    List<Doc> test = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    for (String subject : SUBJECTS) {
      Path file = dir.resolve(subject + ".csv");
      if (!Files.isRegularFile(file)) {
        // the reference downloads every subject; a missing one would change every later shuffle
        throw new DatasetFormatException(file.toString(), "file", "JMMLU subject file missing (the split depends on all 53)");
      }
      List<Doc> samples = new ArrayList<>();
      int index = 0;
      for (CsvRows.Row row : CsvRows.read(file, true, selection.charset())) {
        List<String> c = row.cells();
        if (c.size() != 6 || !LETTERS.contains(c.get(5)) || c.get(0).isEmpty()) {
          errors.add(new LoadedDataset.RowError(file.toString(), row.line(),
              c.size() != 6 ? "expected 6 cells (question, A, B, C, D, answer A-D), got " + c.size()
                  : c.get(0).isEmpty() ? "the question cell is empty" : "answer '" + c.get(5) + "' is not A, B, C or D"));
          continue;
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("question", c.get(0));
        f.put("A", c.get(1));
        f.put("B", c.get(2));
        f.put("C", c.get(3));
        f.put("D", c.get(4));
        f.put("answer", c.get(5));
        f.put("subject", subject);
        samples.add(new Doc(subject + "/" + index++, f, file + ":" + row.line()));
      }
      random.shuffle(samples);
      dev.addAll(samples.subList(0, samples.size() / 2));
      test.addAll(samples.subList(samples.size() / 2, samples.size()));
    }
    random.shuffle(dev);
    random.shuffle(test);
    int half = NUM_TRAIN_EXAMPLES / 2;
    List<Doc> out = switch (split) {
      case "train" -> {
        List<Doc> train = new ArrayList<>(dev.subList(0, half));
        train.addAll(test.subList(0, half));
        yield train;
      }
      case "dev" -> dev.subList(half, dev.size());
      default -> test.subList(half, test.size());
    };
    return new LoadedDataset(List.copyOf(out), errors);
  }
}

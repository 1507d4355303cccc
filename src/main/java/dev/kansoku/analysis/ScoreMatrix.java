package dev.kansoku.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Models × tasks scores built from published and evaluated cells, with every decision written down:
 * which source won where both exist, which tasks and models were dropped, which cells were imputed.
 * Missing cells are {@code NaN} until {@link #complete} handles them.
 */
public final class ScoreMatrix {
  /** A cell filled in by imputation, with its value on the 0–1 scale. */
  public record ImputedCell(String modelId, String taskId, double value) {}

  private final List<String> models;
  private final List<String> tasks;
  private final double[][] values;
  private final List<String> notes;
  private final List<ImputedCell> imputed;

  private ScoreMatrix(List<String> models, List<String> tasks, double[][] values, List<String> notes, List<ImputedCell> imputed) {
    this.models = List.copyOf(models);
    this.tasks = List.copyOf(tasks);
    this.values = values;
    this.notes = List.copyOf(notes);
    this.imputed = List.copyOf(imputed);
  }

  /**
   * Assembles the matrix.
   *
   * @param prefer which source wins when a model has both for a task: "evaluated" or "published"
   * @param preferByModel per-model exceptions to {@code prefer}
   */
  public static ScoreMatrix build(List<ScoreCell> cells, String prefer, Map<String, String> preferByModel) {
    return build(cells, List.of(), prefer, preferByModel);
  }

  /**
   * @param expectedTasks tasks that belong in the matrix even if no cell names them (the suite's); a task
   *     without any score is then reported and dropped instead of silently absent
   */
  public static ScoreMatrix build(List<ScoreCell> cells, List<String> expectedTasks, String prefer,
                                  Map<String, String> preferByModel) {
    Map<String, Map<String, ScoreCell>> byModel = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    Set<String> taskSet = new TreeSet<>(Comparator.comparingInt(TaskCatalog::order).thenComparing(Comparator.naturalOrder()));
    taskSet.addAll(expectedTasks);
    for (ScoreCell c : cells) {
      taskSet.add(c.taskId());
      Map<String, ScoreCell> row = byModel.computeIfAbsent(c.modelId(), k -> new LinkedHashMap<>());
      ScoreCell old = row.get(c.taskId());
      if (old == null) {
        row.put(c.taskId(), c);
        continue;
      }
      if (old.source().equals(c.source())) {
        notes.add("duplicate " + c.source() + " score for " + c.modelId() + " / " + c.taskId() + ": the first (" + old.value() + ") is kept");
        continue;
      }
      String rule = preferByModel.getOrDefault(c.modelId(), prefer);
      ScoreCell winner = old.source().equals(rule) ? old : c;
      row.put(c.taskId(), winner);
      notes.add(c.modelId() + " / " + c.taskId() + ": both published and evaluated scores; using " + winner.source()
          + " (" + winner.value() + ") by rule prefer=" + rule);
    }
    List<String> models = new ArrayList<>(byModel.keySet());
    List<String> tasks = new ArrayList<>(taskSet);
    double[][] v = new double[models.size()][tasks.size()];
    for (int i = 0; i < models.size(); i++) {
      for (int j = 0; j < tasks.size(); j++) {
        ScoreCell c = byModel.get(models.get(i)).get(tasks.get(j));
        v[i][j] = c == null ? Double.NaN : c.value();
      }
    }
    return new ScoreMatrix(models, tasks, v, notes, List.of());
  }

  /**
   * Drops tasks scored for fewer than {@code minCoverage} of the models and models observed on fewer than
   * {@code minCoverage} of the remaining tasks, then handles the remaining
   * missing cells: {@code drop} removes every model that still has one, {@code impute} fills them by
   * iterative PCA with {@code components} components.
   */
  public ScoreMatrix complete(double minCoverage, String missing, int components) {
    List<String> notes = new ArrayList<>(this.notes);
    List<Integer> keptTasks = new ArrayList<>();
    for (int j = 0; j < tasks.size(); j++) {
      int observed = 0;
      for (double[] row : values) {
        observed += Double.isNaN(row[j]) ? 0 : 1;
      }
      double coverage = models.isEmpty() ? 0 : (double) observed / models.size();
      if (observed == 0) {
        notes.add("task " + tasks.get(j) + " has no score for any model: dropped");
      } else if (coverage < minCoverage) {
        notes.add("task " + tasks.get(j) + " is scored for " + observed + " of " + models.size()
            + " models (below min-coverage " + minCoverage + "): dropped");
      } else {
        keptTasks.add(j);
      }
    }
    List<String> keptModels = new ArrayList<>();
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      double[] source = values[i];
      double[] row = keptTasks.stream().mapToDouble(j -> source[j]).toArray();
      long observed = java.util.Arrays.stream(row).filter(x -> !Double.isNaN(x)).count();
      double coverage = row.length == 0 ? 0 : (double) observed / row.length;
      boolean complete = observed == row.length;
      if (coverage < minCoverage) {
        notes.add("model " + models.get(i) + " has scores for " + observed + " of " + row.length
            + " tasks (below min-coverage " + minCoverage + "): dropped");
      } else if (!complete && "drop".equals(missing)) {
        notes.add("model " + models.get(i) + " misses " + (row.length - observed) + " task(s): dropped (missing = drop)");
      } else {
        keptModels.add(models.get(i));
        rows.add(row);
      }
    }
    List<String> taskIds = keptTasks.stream().map(tasks::get).toList();
    double[][] m = rows.toArray(double[][]::new);
    List<ImputedCell> imputedCells = new ArrayList<>();
    if ("impute".equals(missing) && hasMissing(m)) {
      IterativePcaImputer.Result r = IterativePcaImputer.impute(m, components, 500, 1e-6);
      for (int i = 0; i < m.length; i++) {
        for (int j = 0; j < m[i].length; j++) {
          if (Double.isNaN(m[i][j])) {
            imputedCells.add(new ImputedCell(keptModels.get(i), taskIds.get(j), r.values()[i][j]));
          }
        }
      }
      notes.add("imputed " + imputedCells.size() + " missing cell(s) by iterative PCA (" + components
          + " components, " + r.iterations() + " iterations)");
      m = r.values();
    }
    return new ScoreMatrix(keptModels, taskIds, m, notes, imputedCells);
  }

  private static boolean hasMissing(double[][] m) {
    for (double[] row : m) {
      for (double x : row) {
        if (Double.isNaN(x)) {
          return true;
        }
      }
    }
    return false;
  }

  public List<String> models() {
    return models;
  }

  public List<String> tasks() {
    return tasks;
  }

  /** Row-major values; NaN marks a missing cell before {@link #complete}. */
  public double[][] values() {
    return values;
  }

  public List<String> notes() {
    return notes;
  }

  public List<ImputedCell> imputed() {
    return imputed;
  }
}

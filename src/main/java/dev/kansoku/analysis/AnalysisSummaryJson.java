package dev.kansoku.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kansoku.config.AnalysisSettings;
import dev.kansoku.results.StoredFiles;
import dev.kansoku.results.TaskScoreRow;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/** The machine-readable {@code summary.json} of an analysis run (written atomically). */
final class AnalysisSummaryJson {
  private AnalysisSummaryJson() {}

  static void write(Configuration conf, String file, ScoreMatrix m, PcaResult pca, AnalysisSettings s, List<RegressionFit> fits,
                    List<String> notes) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    m.models().forEach(root.putArray("models")::add);
    m.tasks().forEach(root.putArray("tasks")::add);
    root.put("standardize", s.standardize());
    root.put("variant", pca.variant());
    root.put("missing", s.missing());
    root.put("sign_convention", "each component is oriented so that the sum of its loadings is positive");
    ArrayNode evr = root.putArray("explained_variance_ratio");
    for (double v : pca.explainedVarianceRatio()) {
      evr.add(v);
    }
    if (pca.evrInterval() != null) {
      ArrayNode ci = root.putArray("explained_variance_ratio_ci95");
      for (double[] v : pca.evrInterval()) {
        ci.addArray().add(v[0]).add(v[1]);
      }
      root.put("bootstrap_replicates", s.bootstrap());
    }
    ArrayNode comps = root.putArray("components");
    for (int c = 0; c < Math.min(s.components(), pca.explainedVarianceRatio().length); c++) {
      ObjectNode comp = comps.addObject();
      comp.put("name", PcaResult.name(c));
      comp.put("explained_variance_ratio", pca.explainedVarianceRatio()[c]);
      ObjectNode loadings = comp.putObject("loadings");
      for (int t = 0; t < pca.tasks().size(); t++) {
        loadings.put(pca.tasks().get(t), pca.loadings()[t][c]);
      }
    }
    ArrayNode regs = root.putArray("regressions");
    for (RegressionFit f : fits) {
      ObjectNode r = regs.addObject();
      r.put("component", f.component());
      r.put("predictor", f.predictor());
      r.put("group", f.group());
      r.put("slope", f.slope());
      r.put("intercept", f.intercept());
      r.put("r2", f.r2());
      r.put("pearson_r", f.pearsonR());
      r.put("spearman_rho", f.spearmanRho());
      r.put("n", f.n());
      r.putArray("slope_ci95").add(f.slopeCiLow()).add(f.slopeCiHigh());
      f.excluded().forEach(r.putArray("excluded_models")::add);
    }
    ArrayNode imputed = root.putArray("imputed_cells");
    for (ScoreMatrix.ImputedCell c : m.imputed()) {
      imputed.addObject().put(TaskScoreRow.MODEL_ID, c.modelId()).put(TaskScoreRow.TASK_ID, c.taskId()).put(TaskScoreRow.VALUE, c.value());
    }
    notes.forEach(root.putArray("notes")::add);
    StoredFiles.writeAtomically(conf, file, json.writeValueAsBytes(root), "analysis");
  }
}

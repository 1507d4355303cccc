package dev.kansoku.analysis;

import dev.kansoku.config.ModelSpec;
import dev.kansoku.results.StoredFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.apache.hadoop.conf.Configuration;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

/**
 * {@code report/index.html}: a self-contained static page (PNG plots embedded as data URIs, also written
 * beside it) with the scree plot, loadings heatmap, factor-score scatters, compute-scaling fits and the
 * task correlation heatmap, plus the tables and notes behind them.
 */
final class AnalysisReport {
  private final Map<String, ModelSpec> registry;

  AnalysisReport(Map<String, ModelSpec> registry) {
    this.registry = registry;
  }

  /** Writes the report into {@code dir} (a local path or a Hadoop URI) and returns its index page's location. */
  String write(Configuration conf, String dir, ScoreMatrix m, PcaResult pca, List<RegressionFit> fits,
               TaskCorrelations.Result corr, List<String> notes) throws IOException {
    System.setProperty("java.awt.headless", "true");
    StoredFiles.mkdirs(conf, dir);
    Figures figures = new Figures(conf, dir);
    Map<String, String> origins = new LinkedHashMap<>();
    registry.forEach((id, spec) -> origins.put(id, spec.origin()));
    List<String> labels = m.tasks().stream().map(TaskCatalog::label).toList();
    int k = Math.min(5, pca.explainedVarianceRatio().length);
    double[][] loadings = new double[m.tasks().size()][k];
    List<String> comps = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      comps.add(PcaResult.name(c));
      for (int t = 0; t < m.tasks().size(); t++) {
        loadings[t][c] = pca.loadings()[t][c];
      }
    }
    StringBuilder body = new StringBuilder();
    body.append("<h1>Kansoku — capability factors</h1>\n<p>").append(m.models().size()).append(" models × ")
        .append(m.tasks().size()).append(" tasks, PCA variant <b>").append(pca.variant()).append("</b>")
        .append(pca.evrInterval() != null ? ", bootstrap 95 % intervals" : "").append(". Sign convention: each component's loadings sum to a positive number.</p>\n");
    body.append(figures.add("scree", AnalysisCharts.scree(pca), 700, 400));
    body.append(evrTable(pca));
    body.append(figures.add("loadings", AnalysisCharts.heatmap("Loadings", comps, labels, loadings, 0.7), 600, 650));
    if (k >= 2) {
      body.append(figures.add("pc1_pc2", AnalysisCharts.scatter(pca, 0, 1, origins), 900, 700));
    }
    if (k >= 3) {
      body.append(figures.add("pc2_pc3", AnalysisCharts.scatter(pca, 1, 2, origins), 900, 700));
    }
    for (RegressionFit f : fits) {
      if (f.group().equals(ComputeScalingRegressions.ALL) && f.predictor().equals(TrainingCompute.Predictor.JA.column())) {
        Map<String, Double> x = new LinkedHashMap<>();
        for (String id : f.models()) {
          OptionalDouble v = TrainingCompute.log10(registry.get(id), TrainingCompute.Predictor.JA);
          x.put(id, v.orElseThrow());
        }
        body.append(figures.add(f.component().toLowerCase() + "_vs_compute_ja", AnalysisCharts.fit(f, pca, x), 800, 550));
      }
    }
    body.append(regressionTable(fits));
    body.append(figures.add("task_correlations", AnalysisCharts.heatmap("Task correlations (Pearson, over models)",
        labels, labels, corr.pearson(), 1.0), 900, 850));
    body.append("<h2>Notes</h2>\n<ul>\n");
    for (String n : notes) {
      body.append("<li>").append(escape(n)).append("</li>\n");
    }
    body.append("</ul>\n");
    String html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Kansoku analysis</title>\n"
        + "<style>body{font-family:sans-serif;max-width:1000px;margin:auto}table{border-collapse:collapse}"
        + "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}img{max-width:100%}</style>\n"
        // lets a headless browser check that every plot decoded
        + "<script>window.addEventListener('load',function(){var i=document.images,ok=0;for(var j=0;j<i.length;j++)"
        + "{if(i[j].complete&&i[j].naturalWidth>0)ok++;}document.body.setAttribute('data-images-total',i.length);"
        + "document.body.setAttribute('data-images-loaded',ok);});</script>\n"
        + "</head><body>\n" + body + "</body></html>\n";
    String index = StoredFiles.child(dir, "index.html");
    StoredFiles.writeAtomically(conf, index, html.getBytes(StandardCharsets.UTF_8), "report");
    return index;
  }

  /** Each plot as a PNG beside the page and embedded in it. */
  private record Figures(Configuration conf, String dir) {
    String add(String name, JFreeChart chart, int w, int h) throws IOException {
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ChartUtils.writeChartAsPNG(png, chart, w, h);
      StoredFiles.writeAtomically(conf, StoredFiles.child(dir, name + ".png"), png.toByteArray(), "report");
      return "<figure><img alt=\"" + name + "\" src=\"data:image/png;base64,"
          + Base64.getEncoder().encodeToString(png.toByteArray()) + "\"></figure>\n";
    }
  }

  private static String evrTable(PcaResult pca) {
    StringBuilder b = new StringBuilder("<table><tr><th>component</th><th>explained variance</th><th>95 % interval</th></tr>\n");
    for (int c = 0; c < Math.min(8, pca.explainedVarianceRatio().length); c++) {
      b.append(String.format("<tr><td>%s</td><td>%.3f</td><td>%s</td></tr>%n", PcaResult.name(c), pca.explainedVarianceRatio()[c],
          pca.evrInterval() == null ? "" : String.format("%.3f – %.3f", pca.evrInterval()[c][0], pca.evrInterval()[c][1])));
    }
    return b.append("</table>\n").toString();
  }

  private static String regressionTable(List<RegressionFit> fits) {
    StringBuilder b = new StringBuilder("<h2>Factor scores vs log10 training compute</h2>\n<table><tr><th>component</th>"
        + "<th>predictor</th><th>group</th><th>n</th><th>slope</th><th>95 % CI</th><th>R²</th><th>Pearson r</th><th>Spearman ρ</th></tr>\n");
    for (RegressionFit f : fits) {
      b.append(String.format("<tr><td>%s</td><td>%s</td><td>%s</td><td>%d</td><td>%.3f</td><td>%.3f – %.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>%n",
          f.component(), f.predictor(), f.group(), f.n(), f.slope(), f.slopeCiLow(), f.slopeCiHigh(), f.r2(), f.pearsonR(), f.spearmanRho()));
    }
    return b.append("</table>\n").toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}

package dev.kansoku.analysis;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.labels.XYItemLabelGenerator;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/** The report's charts, drawn with JFreeChart. */
final class AnalysisCharts {
  static final Map<String, Color> ORIGIN_COLORS = new LinkedHashMap<>();

  static {
    ORIGIN_COLORS.put("ja_from_scratch", new Color(0xd62728));
    ORIGIN_COLORS.put("ja_continual", new Color(0xff7f0e));
    ORIGIN_COLORS.put("en", new Color(0x1f77b4));
    ORIGIN_COLORS.put("multilingual", new Color(0x2ca02c));
    ORIGIN_COLORS.put("other", new Color(0x7f7f7f));
  }

  private AnalysisCharts() {}

  static JFreeChart scree(PcaResult pca) {
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    double cumulative = 0;
    for (int c = 0; c < Math.min(10, pca.explainedVarianceRatio().length); c++) {
      cumulative += pca.explainedVarianceRatio()[c];
      ds.addValue(pca.explainedVarianceRatio()[c], "explained variance ratio", PcaResult.name(c));
      ds.addValue(cumulative, "cumulative", PcaResult.name(c));
    }
    JFreeChart chart = ChartFactory.createBarChart("Scree plot (" + pca.variant() + ")", "component",
        "share of variance", ds, PlotOrientation.VERTICAL, true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** A heatmap of values[y][x] on a blue–white–red scale from -limit to +limit. */
  static JFreeChart heatmap(String title, List<String> xLabels, List<String> yLabels, double[][] values, double limit) {
    DefaultXYZDataset ds = new DefaultXYZDataset();
    int n = xLabels.size() * yLabels.size();
    double[][] data = new double[3][n];
    int k = 0;
    for (int y = 0; y < yLabels.size(); y++) {
      for (int x = 0; x < xLabels.size(); x++) {
        data[0][k] = x;
        data[1][k] = y;
        data[2][k] = values[y][x];
        k++;
      }
    }
    ds.addSeries("values", data);
    SymbolAxis xAxis = new SymbolAxis(null, xLabels.toArray(String[]::new));
    xAxis.setVerticalTickLabels(xLabels.size() > 6);
    SymbolAxis yAxis = new SymbolAxis(null, yLabels.toArray(String[]::new));
    yAxis.setInverted(true);
    XYBlockRenderer renderer = new XYBlockRenderer();
    PaintScale scale = new DivergingScale(limit);
    renderer.setPaintScale(scale);
    XYPlot plot = new XYPlot(ds, xAxis, yAxis, renderer);
    plot.setBackgroundPaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    NumberAxis scaleAxis = new NumberAxis();
    scaleAxis.setRange(-limit, limit);
    PaintScaleLegend legend = new PaintScaleLegend(scale, scaleAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(4, 4, 4, 4);
    chart.addSubtitle(legend);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** Models in the plane of two components, coloured by origin, labelled with short names. */
  static JFreeChart scatter(PcaResult pca, int cx, int cy, Map<String, String> origins) {
    XYSeriesCollection ds = new XYSeriesCollection();
    Map<String, XYSeries> byOrigin = new LinkedHashMap<>();
    Map<String, List<String>> labels = new LinkedHashMap<>();
    for (String o : ORIGIN_COLORS.keySet()) {
      byOrigin.put(o, new XYSeries(o, false, true));
      labels.put(o, new java.util.ArrayList<>());
    }
    for (int i = 0; i < pca.models().size(); i++) {
      String origin = origins.getOrDefault(pca.models().get(i), "other");
      String key = byOrigin.containsKey(origin) ? origin : "other";
      byOrigin.get(key).add(pca.scores()[i][cx], pca.scores()[i][cy]);
      labels.get(key).add(shortName(pca.models().get(i)));
    }
    List<String> keys = new java.util.ArrayList<>();
    for (Map.Entry<String, XYSeries> e : byOrigin.entrySet()) {
      if (e.getValue().getItemCount() > 0) {
        ds.addSeries(e.getValue());
        keys.add(e.getKey());
      }
    }
    JFreeChart chart = ChartFactory.createScatterPlot(PcaResult.name(cx) + " × " + PcaResult.name(cy) + " (model factor scores)",
        PcaResult.name(cx), PcaResult.name(cy), ds, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
    for (int s = 0; s < keys.size(); s++) {
      r.setSeriesPaint(s, ORIGIN_COLORS.get(keys.get(s)));
    }
    XYItemLabelGenerator gen = (dataset, series, item) -> labels.get(keys.get(series)).get(item);
    r.setDefaultItemLabelGenerator(gen);
    r.setDefaultItemLabelsVisible(true);
    r.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** Factor score against log10 compute with the least-squares line and its 95 % confidence band. */
  static JFreeChart fit(RegressionFit f, PcaResult pca, Map<String, Double> x) {
    XYSeriesCollection points = new XYSeriesCollection();
    XYSeries s = new XYSeries("models", false, true);
    List<String> names = new java.util.ArrayList<>();
    int c = Integer.parseInt(f.component().substring(2)) - 1;
    for (String m : f.models()) {
      s.add(x.get(m).doubleValue(), pca.scores()[pca.models().indexOf(m)][c]);
      names.add(shortName(m));
    }
    points.addSeries(s);
    double lo = f.models().stream().mapToDouble(x::get).min().orElse(0);
    double hi = f.models().stream().mapToDouble(x::get).max().orElse(1);
    double t = new org.apache.commons.math3.distribution.TDistribution(f.n() - 2).inverseCumulativeProbability(0.975);
    YIntervalSeries band = new YIntervalSeries("fit and 95 % band");
    for (int i = 0; i <= 40; i++) {
      double xv = lo + (hi - lo) * i / 40.0;
      double y = f.intercept() + f.slope() * xv;
      double half = t * f.residualStd() * Math.sqrt(1.0 / f.n() + (xv - f.meanX()) * (xv - f.meanX()) / f.sxx());
      band.add(xv, y, y - half, y + half);
    }
    YIntervalSeriesCollection bands = new YIntervalSeriesCollection();
    bands.addSeries(band);
    JFreeChart chart = ChartFactory.createScatterPlot(
        String.format("%s vs %s (n=%d, slope %.3f, R² %.3f)", f.component(), f.predictor(), f.n(), f.slope(), f.r2()),
        f.predictor(), f.component() + " score", points, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
    r.setSeriesPaint(0, new Color(0x1f77b4));
    r.setDefaultItemLabelGenerator((dataset, series, item) -> names.get(item));
    r.setDefaultItemLabelsVisible(true);
    r.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
    DeviationRenderer dev = new DeviationRenderer(true, false);
    dev.setSeriesPaint(0, new Color(0xd62728));
    dev.setSeriesFillPaint(0, new Color(0xd62728));
    dev.setSeriesStroke(0, new BasicStroke(2f));
    dev.setAlpha(0.2f);
    plot.setDataset(1, bands);
    plot.setRenderer(1, dev);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  static String shortName(String modelId) {
    int slash = modelId.indexOf('/');
    return slash < 0 ? modelId : modelId.substring(slash + 1);
  }

  /** Blue (negative) – white (zero) – red (positive). */
  private record DivergingScale(double limit) implements PaintScale {
    @Override
    public double getLowerBound() {
      return -limit;
    }

    @Override
    public double getUpperBound() {
      return limit;
    }

    @Override
    public Paint getPaint(double value) {
      double v = Math.max(-1, Math.min(1, value / limit));
      int fade = (int) Math.round(255 * (1 - Math.abs(v)));
      return v >= 0 ? new Color(255, fade, fade) : new Color(fade, fade, 255);
    }
  }
}

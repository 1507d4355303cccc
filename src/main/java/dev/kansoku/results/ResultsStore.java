package dev.kansoku.results;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The results directory: one Parquet table per sub-directory, each with the schema of
 * {@code data-schemas/<table>.json}. Works on any Hadoop file system (local, HDFS, S3A).
 *
 * <p>Commit rules: {@code requests}, {@code responses} and {@code errors} are append-only, and readers
 * deduplicate by key, so a retried append can never double-count. {@code example_scores} is rewritten per
 * (model, task) partition (dynamic partition overwrite). {@code task_scores} is small: it is written to a
 * staging directory and renamed into place, so readers see the old table or the new one, never half of one.
 */
public final class ResultsStore {
  private final SparkSession spark;
  private final String root;

  public ResultsStore(SparkSession spark, String root) {
    this.spark = spark;
    this.root = root;
  }

  public String path(String table) {
    return new Path(root, table).toString();
  }

  public boolean exists(String table) {
    try {
      Path p = new Path(path(table));
      FileSystem fs = p.getFileSystem(hadoopConf());
      return fs.exists(p) && fs.listStatus(p).length > 0;
    } catch (IOException e) {
      throw new IllegalStateException("cannot inspect " + path(table) + ": " + e.getMessage(), e);
    }
  }

  /** The table with its declared schema, or an empty one when nothing has been written yet. */
  public Dataset<Row> read(String table) {
    TableSchemas.Table t = TableSchemas.table(table);
    if (!exists(table)) {
      return spark.createDataFrame(List.of(), t.schema());
    }
    return spark.read().schema(t.schema()).parquet(path(table));
  }

  public void append(String table, Dataset<Row> rows) {
    writer(table, rows).mode(SaveMode.Append).parquet(path(table));
  }

  /** Replaces the partitions present in {@code rows}; others stay as they are. */
  public void overwritePartitions(String table, Dataset<Row> rows) {
    // dynamic: only the partitions written are replaced, whatever the session's default (static would empty the
    // whole table first, as it does in a session made without SparkSessions, e.g. a notebook's)
    writer(table, rows).mode(SaveMode.Overwrite).option("partitionOverwriteMode", "dynamic").parquet(path(table));
  }

  /**
   * Writes {@code rows} for {@code table} (its column order and partitioning) to a staging directory through
   * Spark's file commit protocol: only committed task attempts leave files, so killed and speculative duplicate
   * attempts leave nothing. {@link #commitStaged} then moves the files into the table.
   */
  public void stage(String table, Dataset<Row> rows, String stagingDir) {
    writer(table, rows).mode(SaveMode.Overwrite).parquet(stagingDir);
  }

  /**
   * Moves every data file of a staging directory written by {@link #stage} into the table, keeping its
   * partition sub-directory. Each move is an atomic rename of a complete file, so a reader sees a file whole
   * or not at all; if the driver dies half-way, the moved files count as answered and the rest are computed
   * again by the next run (they are never read from staging). Returns the number of files moved.
   */
  public int commitStaged(String table, String stagingDir) {
    Path staging = new Path(stagingDir);
    Path target = new Path(path(table));
    try {
      FileSystem fs = staging.getFileSystem(hadoopConf());
      if (!fs.exists(staging)) {
        return 0;
      }
      int moved = 0;
      org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> files = fs.listFiles(staging, true);
      List<Path> data = new java.util.ArrayList<>();
      while (files.hasNext()) {
        Path f = files.next().getPath();
        if (!f.getName().startsWith("_") && !f.getName().startsWith(".")) {
          data.add(f);
        }
      }
      String base = staging.toUri().getPath();
      for (Path f : data) {
        String relative = f.toUri().getPath().substring(base.length() + 1);
        Path dest = new Path(target, relative);
        fs.mkdirs(dest.getParent());
        if (!fs.rename(f, dest)) {
          throw new IOException("cannot move " + f + " to " + dest);
        }
        moved++;
      }
      fs.delete(staging, true);
      return moved;
    } catch (IOException e) {
      throw new IllegalStateException("cannot commit " + stagingDir + " into table " + table + ": " + e.getMessage(), e);
    }
  }

  /**
   * Example scores written before score sets existed lie directly in {@code model_id=…/task_id=…/}: each such
   * file moves (an atomic rename) into {@code score_set=legacy/} below it, so the table has one partition layout.
   */
  public void moveLegacyExampleScores() {
    Path table = new Path(path(TableSchemas.EXAMPLE_SCORES));
    try {
      FileSystem fs = table.getFileSystem(hadoopConf());
      if (!fs.exists(table)) {
        return;
      }
      for (org.apache.hadoop.fs.FileStatus model : fs.listStatus(table, p -> p.getName().startsWith(ExampleScoreRow.MODEL_ID + "="))) {
        for (org.apache.hadoop.fs.FileStatus task : fs.listStatus(model.getPath(), p -> p.getName().startsWith(ExampleScoreRow.TASK_ID + "="))) {
          for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(task.getPath())) {
            if (f.isFile()) {
              Path dest = new Path(new Path(task.getPath(), ExampleScoreRow.SCORE_SET + "=" + ScoreSets.LEGACY), f.getPath().getName());
              fs.mkdirs(dest.getParent());
              if (!fs.rename(f.getPath(), dest)) {
                throw new IOException("cannot move " + f.getPath() + " to " + dest);
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot move the example scores of " + table + " into score sets: " + e.getMessage(), e);
    }
  }

  /** Replaces a small, unpartitioned table atomically: staging directory, then rename. */
  public void replace(String table, List<Row> rows, String runId) {
    TableSchemas.Table t = TableSchemas.table(table);
    Path target = new Path(path(table));
    Path staging = new Path(root, "_staging/" + table + "-" + runId);
    Path old = new Path(root, "_staging/" + table + "-" + runId + "-old");
    spark.createDataFrame(rows, t.schema()).coalesce(1).write().mode(SaveMode.Overwrite).parquet(staging.toString());
    try {
      FileSystem fs = target.getFileSystem(hadoopConf());
      if (fs.exists(target) && !fs.rename(target, old)) {
        throw new IOException("cannot move " + target + " aside");
      }
      if (!fs.rename(staging, target)) {
        throw new IOException("cannot rename " + staging + " to " + target);
      }
      fs.delete(old, true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot commit table " + table + ": " + e.getMessage(), e);
    }
  }

  private org.apache.spark.sql.DataFrameWriter<Row> writer(String table, Dataset<Row> rows) {
    TableSchemas.Table t = TableSchemas.table(table);
    Dataset<Row> ordered = rows.selectExpr(t.schema().fieldNames());
    org.apache.spark.sql.DataFrameWriter<Row> w = ordered.write();
    if (!t.partitionBy().isEmpty()) {
      w = w.partitionBy(t.partitionBy().toArray(String[]::new));
    }
    return w;
  }

  private Configuration hadoopConf() {
    return spark.sparkContext().hadoopConfiguration();
  }
}

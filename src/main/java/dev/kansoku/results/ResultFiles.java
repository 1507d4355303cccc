package dev.kansoku.results;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * The Parquet files of a results directory's tables, checked the cheap way (each file's footer) so that a
 * truncated or overwritten file is named before a run starts, not as a Spark stack trace halfway through it;
 * and {@link #quarantine} for {@code kansoku repair}, which moves such files aside. A quarantined responses
 * file's requests are simply missing on the next run, which computes exactly them; a quarantined
 * example_scores file takes its whole (model, task) partition with it, so that pair is scored again from its
 * responses rather than aggregated from fewer examples.
 */
public final class ResultFiles {
  /** Where moved files go, under the results directory. */
  public static final String QUARANTINE = "_quarantine";

  /** A table file that cannot be read, and why. */
  public record Corrupt(Path file, String table, String problem) {}

  private ResultFiles() {}

  /** Every unreadable Parquet file of the result tables (an empty list when all are sound). */
  public static List<Corrupt> corrupt(Configuration conf, String resultsDir) throws IOException {
    List<Corrupt> out = new ArrayList<>();
    for (String table : TableSchemas.ALL) {
      Path dir = new Path(resultsDir, table);
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        continue;
      }
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
      while (files.hasNext()) {
        FileStatus f = files.next();
        if (!f.getPath().getName().endsWith(".parquet")) {
          continue;
        }
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(f, conf))) {
          reader.getFooter();
        } catch (IOException | RuntimeException e) {
          String problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace(f.getPath().toString() + " ", "");
          out.add(new Corrupt(f.getPath(), table, problem));
        }
      }
    }
    return out;
  }

  /** Fails (a user error naming the file and the way out) when a table file cannot be read. */
  public static void requireReadable(Configuration conf, String resultsDir) throws IOException {
    List<Corrupt> bad = corrupt(conf, resultsDir);
    if (!bad.isEmpty()) {
      throw new CorruptResultFileException(bad.get(0).file().toString(), bad.get(0).problem(), bad.size(), resultsDir);
    }
  }

  /**
   * Moves the corrupt files (and, for example_scores, the rest of their partition) to
   * {@code _quarantine/<UTC time>/<same relative path>}; returns what was moved.
   */
  public static List<Path> quarantine(Configuration conf, String resultsDir, List<Corrupt> corrupt) throws IOException {
    FileSystem fs = new Path(resultsDir).getFileSystem(conf);
    Path root = fs.makeQualified(new Path(resultsDir));
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
    Path target = new Path(new Path(root, QUARANTINE), stamp);
    List<Path> moved = new ArrayList<>();
    for (Corrupt c : corrupt) {
      List<Path> files = new ArrayList<>();
      if (c.table().equals(TableSchemas.EXAMPLE_SCORES)) {
        for (FileStatus s : fs.listStatus(c.file().getParent())) {
          files.add(s.getPath());
        }
      } else {
        files.add(c.file());
        Path crc = new Path(c.file().getParent(), "." + c.file().getName() + ".crc");
        if (fs.exists(crc)) {
          files.add(crc);
        }
      }
      for (Path f : files) {
        if (!fs.exists(f)) {
          continue;
        }
        String relative = root.toUri().relativize(fs.makeQualified(f).toUri()).getPath();
        if (relative.startsWith("/")) {
          throw new IOException(f + " is not inside " + root);
        }
        Path to = new Path(target, relative);
        fs.mkdirs(to.getParent());
        if (!fs.rename(f, to)) {
          throw new IOException("could not move " + f + " to " + to);
        }
        moved.add(to);
      }
    }
    return moved;
  }
}

package dev.kansoku.results;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where results live: a local path, or any Hadoop filesystem URI ({@code hdfs://}, {@code s3a://}, …) that stays a
 * URI end to end. Spark's Parquet readers and writers take either; the few small files Kansoku writes itself
 * (progress.json, the analysis summary and report) go through here.
 *
 * <p>Local files are written with java.nio (no Hadoop checksum files beside them, an atomic rename); other
 * filesystems through Hadoop's {@link FileSystem}, where a rename over an existing file is refused: the old file is
 * deleted first, so a reader may miss the file for a moment but never sees a partial one.
 */
public final class StoredFiles {
  private StoredFiles() {}

  /** True for a plain path or a {@code file:} URI. */
  public static boolean isLocal(String location) {
    String scheme = scheme(location);
    return scheme == null || scheme.equalsIgnoreCase("file");
  }

  /** {@code name} inside {@code dir}, of the same kind: a URI stays a URI ({@code Path.of} would fold "//"). */
  public static String child(String dir, String name) {
    if (scheme(dir) == null) {
      return java.nio.file.Path.of(dir, name).toString();
    }
    return new Path(new Path(dir), name).toString();
  }

  /** The local path of a local location. */
  public static java.nio.file.Path localPath(String location) {
    return scheme(location) == null ? java.nio.file.Path.of(location) : java.nio.file.Path.of(URI.create(location));
  }

  /** Creates {@code dir} and its parents. */
  public static void mkdirs(Configuration conf, String dir) throws IOException {
    if (isLocal(dir)) {
      Files.createDirectories(localPath(dir));
      return;
    }
    Path p = new Path(dir);
    p.getFileSystem(conf).mkdirs(p);
  }

  /** Writes {@code bytes} to {@code file} so that no reader sees a partial file ({@code tag} names the temporary). */
  public static void writeAtomically(Configuration conf, String file, byte[] bytes, String tag) throws IOException {
    if (isLocal(file)) {
      java.nio.file.Path target = localPath(file);
      Files.createDirectories(target.getParent());
      java.nio.file.Path tmp = target.resolveSibling("." + target.getFileName() + "." + tag + ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    Path target = new Path(file);
    FileSystem fs = target.getFileSystem(conf);
    Path tmp = new Path(target.getParent(), "." + target.getName() + "." + tag + ".tmp");
    try (OutputStream out = fs.create(tmp, true)) {
      out.write(bytes);
    }
    fs.delete(target, false);
    if (!fs.rename(tmp, target)) {
      throw new IOException("could not rename " + tmp + " to " + target);
    }
  }

  /**
   * Fails with one line when {@code location}'s filesystem has no implementation or cannot be reached, before
   * anything is written. The probe uses its own filesystem instance with few connection retries (Hadoop's IPC client
   * retries a refused connection 10 times by default): the cached instance the run then uses keeps the user's
   * settings.
   */
  public static void requireReachable(Configuration conf, String location) {
    if (isLocal(location)) {
      return;
    }
    URI uri = new Path(location).toUri();
    Configuration probe = new Configuration(conf);
    probe.setInt("ipc.client.connect.max.retries", 1);
    probe.setInt("ipc.client.connect.max.retries.on.timeouts", 1);
    probe.setInt("ipc.client.connect.timeout", 5000);
    FileSystem fs;
    try {
      fs = FileSystem.newInstance(uri, probe);
    } catch (org.apache.hadoop.fs.UnsupportedFileSystemException e) {
      throw new ResultsDirectoryException(location, "no Hadoop filesystem implements the scheme '" + uri.getScheme()
          + "' on the classpath (" + firstLine(e.getMessage()) + ")");
    } catch (IOException | RuntimeException e) {
      Throwable missing = e;
      while (missing != null && !(missing instanceof ClassNotFoundException)) {
        missing = missing.getCause();
      }
      if (missing != null) {
        // s3a:// and friends are configured in core-default.xml but live in their own jars (hadoop-aws, …)
        throw new ResultsDirectoryException(location, "the filesystem of scheme '" + uri.getScheme() + "' is not on the "
            + "classpath (" + firstLine(missing.getMessage()) + "); add its jar (e.g. hadoop-aws for s3a) to the driver and executors");
      }
      throw new ResultsDirectoryException(location, "cannot open its filesystem (" + firstLine(e.toString()) + ")");
    }
    try {
      fs.exists(new Path(location));
    } catch (IOException | RuntimeException e) {
      throw new ResultsDirectoryException(location, "cannot be reached (" + firstLine(e.toString()) + ")");
    } finally {
      try {
        fs.close();
      } catch (IOException ignored) {
        // the probe's own instance: nothing of the run's is lost
      }
    }
  }

  private static String scheme(String location) {
    // a single letter before ':' is a Windows drive, not a scheme
    int colon = location.indexOf(':');
    if (colon < 2) {
      return null;
    }
    String s = location.substring(0, colon);
    return s.matches("[A-Za-z][A-Za-z0-9+.-]*") ? s : null;
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}

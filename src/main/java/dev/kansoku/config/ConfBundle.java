package dev.kansoku.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * conf/ shipped with a cluster-mode application: jobs/submit.sh packs the configuration directory (tar + gzip +
 * base64) into the Spark property {@value #PROPERTY}, which spark-submit hands to the driver wherever the cluster
 * starts it (YARN: the staged Spark configuration; standalone: the driver's launch command). The driver unpacks it
 * into a fresh local directory and reads it as it would read conf/.
 */
public final class ConfBundle {
  public static final String PROPERTY = "spark.kansoku.conf-bundle";

  private ConfBundle() {}

  /** The bundle of this JVM's Spark properties unpacked, or null when none was shipped. */
  public static Path unpackShipped() {
    String b64 = System.getProperty(PROPERTY);
    if (b64 == null || b64.isBlank()) {
      return null;
    }
    try {
      Path dir = Files.createTempDirectory("kansoku-conf-");
      unpack(Base64.getDecoder().decode(b64.trim()), dir);
      return dir;
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigError(PROPERTY, "conf-dir", "the configuration shipped with the application cannot be unpacked ("
          + e.getMessage() + ")");
    }
  }

  static void unpack(byte[] tgz, Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    try (InputStream raw = new ByteArrayInputStream(tgz); TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        Path target = root.resolve(e.getName()).normalize();
        if (!target.startsWith(root)) {
          throw new IOException("entry outside the bundle: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else if (e.isFile()) {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target);
        }
      }
    }
  }
}

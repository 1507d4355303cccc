package dev.kansoku.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kansoku.config.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model directory on shared storage ({@code model.path = "hdfs://…"}) made local, once per machine: copied into
 * {@code <cache>/<model id>/<revision>/<kind>} and reused by every task and every later run on that machine.
 *
 * <p>A copy goes to a fresh {@code .partial-*} directory, is checked against the remote listing (every file, its
 * size) and, for weights, against the safetensors index (every shard it names is there), and only then renamed into
 * place with a marker that records the listing. A directory without a marker that matches the remote listing is
 * never used: a killed copy, a half-written cache or weights replaced under the same revision are copied again.
 *
 * <p>The driver stages {@link Kind#METADATA} (config, tokenizer, index: what planning, costs and scoring read), the
 * executors {@link Kind#FULL}. Local paths are returned as they are.
 */
public final class ModelStaging {
  /** What is copied. */
  public enum Kind {
    /** Everything but the weight files. */
    METADATA,
    /** The whole directory. */
    FULL
  }

  static final String MARKER = ".kansoku-staged.json";
  private static final Logger LOG = LoggerFactory.getLogger(ModelStaging.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();
  /** Copies this JVM has made or verified: later tasks of the run use them without listing the remote again. */
  private static final Map<String, Path> STAGED = new ConcurrentHashMap<>();

  private ModelStaging() {}

  /** Forgets this JVM's copies (as a new executor would): the next staging lists the remote and checks the cache. */
  static void forget() {
    STAGED.clear();
  }

  /** True when {@code path} names a Hadoop filesystem other than the local one. */
  public static boolean isRemote(String path) {
    int colon = path == null ? -1 : path.indexOf(':');
    if (colon < 2) {
      return false;
    }
    String scheme = path.substring(0, colon);
    return scheme.matches("[A-Za-z][A-Za-z0-9+.-]*") && !scheme.equalsIgnoreCase("file");
  }

  /** {@code spec} with a local directory: itself when its path is local, else its staged copy. */
  public static ModelSpec local(ModelSpec spec, Kind kind, Configuration conf, String cacheDir) {
    if (spec.path() == null || !isRemote(spec.path())) {
      return spec;
    }
    Path dir = stage(spec, kind, conf, cacheRoot(cacheDir));
    return spec.withPath(dir.toString());
  }

  /** The cache root: the configured one, else ~/.cache/kansoku/models, else (no writable home) the temp directory. */
  static Path cacheRoot(String configured) {
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    Path home = Path.of(System.getProperty("user.home", "/nonexistent"), ".cache", "kansoku", "models");
    try {
      Files.createDirectories(home);
      if (Files.isWritable(home)) {
        return home;
      }
    } catch (IOException | SecurityException e) {
      // a container without a writable home: fall through
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "kansoku-models-" + System.getProperty("user.name", "user"));
  }

  static Path stage(ModelSpec spec, Kind kind, Configuration conf, Path root) {
    Path target = root.resolve(safe(spec.id())).resolve(safe(spec.revision())).resolve(kind.name().toLowerCase());
    // one copy per JVM at a time; other JVMs on the machine race only on the final rename
    synchronized (LOCKS.computeIfAbsent(target.toString(), k -> new Object())) {
      String key = target + "\u0000" + spec.path();
      Path known = STAGED.get(key);
      if (known != null && Files.isRegularFile(known.resolve(MARKER))) {
        return known;
      }
      try {
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(spec.path());
        FileSystem fs = remote.getFileSystem(conf);
        Map<String, Long> listing = listing(fs, remote, kind, spec);
        if (matches(target, listing)) {
          LOG.info("model {} ({}): reusing the verified copy of {} in {}", spec.id(), spec.revision(), spec.path(), target);
          STAGED.put(key, target);
          return target;
        }
        long t0 = System.nanoTime();
        removeAbandonedCopies(target);
        Path partial = target.resolveSibling(target.getFileName() + ".partial-" + UUID.randomUUID());
        Files.createDirectories(partial);
        long bytes = 0;
        for (Map.Entry<String, Long> f : listing.entrySet()) {
          Path local = partial.resolve(f.getKey());
          Files.createDirectories(local.getParent());
          try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(remote, f.getKey()))) {
            Files.copy(in, local);
          }
          long size = Files.size(local);
          if (size != f.getValue()) {
            throw new ModelStagingException(spec, f.getKey() + ": copied " + size + " bytes, the listing says " + f.getValue());
          }
          bytes += size;
        }
        Files.writeString(partial.resolve(MARKER), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(listing), StandardCharsets.UTF_8);
        install(partial, target, listing);
        STAGED.put(key, target);
        LOG.info("staged {} of model {} ({}) from {} into {}: {} files, {} MB in {} ms", kind.name().toLowerCase(), spec.id(),
            spec.revision(), spec.path(), target, listing.size(), bytes / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
        return target;
      } catch (IOException e) {
        throw new ModelStagingException(spec, e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }
  }

  /** Relative path → size of the files to copy; the index's shards must be in the listing. */
  private static Map<String, Long> listing(FileSystem fs, org.apache.hadoop.fs.Path remote, Kind kind, ModelSpec spec) throws IOException {
    FileStatus dir;
    try {
      dir = fs.getFileStatus(remote);
    } catch (java.io.FileNotFoundException e) {
      throw new ModelStagingException(spec, "model directory does not exist");
    }
    if (!dir.isDirectory()) {
      throw new ModelStagingException(spec, "not a directory");
    }
    String base = fs.makeQualified(remote).toUri().getPath();
    Map<String, Long> all = new TreeMap<>();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(remote, true);
    while (it.hasNext()) {
      LocatedFileStatus f = it.next();
      String rel = f.getPath().toUri().getPath().substring(base.length()).replaceFirst("^/", "");
      if (!rel.isEmpty() && !rel.startsWith(".")) {
        all.put(rel, f.getLen());
      }
    }
    String index = "model.safetensors.index.json";
    if (all.containsKey(index)) {
      try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(remote, index))) {
        JsonNode map = JSON.readTree(in).path("weight_map");
        for (JsonNode shard : (Iterable<JsonNode>) () -> map.elements()) {
          if (!all.containsKey(shard.asText())) {
            throw new ModelStagingException(spec, index + " names the shard " + shard.asText() + ", which is not in the directory");
          }
        }
      }
    }
    if (kind == Kind.METADATA) {
      all.keySet().removeIf(ModelStaging::isWeights);
    }
    return all;
  }

  static boolean isWeights(String name) {
    return name.matches(".*\\.(safetensors|bin|pt|pth|onnx|onnx_data|gguf|msgpack|h5)$");
  }

  /** Whether {@code dir} is a finished copy of exactly {@code listing}. */
  private static boolean matches(Path dir, Map<String, Long> listing) throws IOException {
    Path marker = dir.resolve(MARKER);
    if (!Files.isRegularFile(marker)) {
      return false;
    }
    Map<String, Long> recorded = JSON.readValue(marker.toFile(),
        JSON.getTypeFactory().constructMapType(TreeMap.class, String.class, Long.class));
    if (!recorded.equals(listing)) {
      return false;
    }
    for (Map.Entry<String, Long> f : listing.entrySet()) {
      Path p = dir.resolve(f.getKey());
      if (!Files.isRegularFile(p) || Files.size(p) != f.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Renames the verified copy into place; a stale or foreign directory there is moved aside and removed first. */
  private static void install(Path partial, Path target, Map<String, Long> listing) throws IOException {
    for (int attempt = 0; attempt < 3; attempt++) {
      if (Files.exists(target)) {
        if (matches(target, listing)) {
          // another process on this machine finished the same copy first
          delete(partial);
          return;
        }
        Path stale = target.resolveSibling(target.getFileName() + ".stale-" + UUID.randomUUID());
        try {
          Files.move(target, stale, StandardCopyOption.ATOMIC_MOVE);
          delete(stale);
        } catch (java.nio.file.NoSuchFileException gone) {
          // removed by another process meanwhile
        }
      }
      try {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        return;
      } catch (java.nio.file.FileSystemException e) {
        if (!Files.exists(target)) {
          throw e;
        }
        // another process installed a directory in between: look at it again
      }
    }
    throw new IOException("could not install the copy at " + target);
  }

  /**
   * Partial copies a killed process left beside {@code target}: removed when untouched for a day (a live copy writes
   * its directory all the time; one as old as that is nobody's).
   */
  private static void removeAbandonedCopies(Path target) {
    long dayAgo = System.currentTimeMillis() - 24L * 3600 * 1000;
    if (!Files.isDirectory(target.getParent())) {
      return;
    }
    try (Stream<Path> siblings = Files.list(target.getParent())) {
      for (Path p : siblings.filter(p -> p.getFileName().toString().startsWith(target.getFileName() + ".partial-")).toList()) {
        if (Files.getLastModifiedTime(p).toMillis() < dayAgo) {
          LOG.warn("removing the abandoned partial copy {}", p);
          delete(p);
        }
      }
    } catch (IOException e) {
      LOG.warn("could not clean abandoned copies beside {}: {}", target, e.getMessage());
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static String safe(String s) {
    return s.replaceAll("[^A-Za-z0-9._+-]", "_");
  }
}

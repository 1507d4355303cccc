package dev.kansoku.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * SHA-256 over the bytes of the dataset files a task reads (a folder: every file in it, by relative name), first
 * 16 hex digits. The same file read twice (evaluation and few-shot) counts once.
 */
final class DatasetFingerprint {
  private DatasetFingerprint() {}

  static String of(String... paths) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      Set<Path> seen = new LinkedHashSet<>();
      for (String p : paths) {
        if (p == null || !seen.add(Path.of(p).toAbsolutePath().normalize())) {
          continue;
        }
        Path root = Path.of(p);
        for (Path f : files(root)) {
          String name = root.equals(f) ? f.getFileName().toString() : root.relativize(f).toString();
          sha.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
          sha.update((byte) 0);
          try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
              sha.update(buf, 0, n);
            }
          }
          sha.update((byte) 0);
        }
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private static List<Path> files(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return Files.exists(root) ? List.of(root) : List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
    }
  }
}

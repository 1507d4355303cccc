package dev.kansoku.task;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * Where a dataset file stops being valid in its character set (UTF-8 unless task.dataset.encoding says
 * otherwise): the byte offset (of the decompressed text for .gz/.bz2) and the line,
 * so that a file saved in Shift_JIS or Latin-1 is reported precisely instead of being read as garbled text.
 */
final class Utf8Check {
  private Utf8Check() {}

  /** Where a file stops being valid in its character set. */
  record Invalid(Path file, long line, int offset, int value, java.nio.charset.Charset charset) {
    String problem() {
      String name = charset.equals(StandardCharsets.UTF_8) ? "UTF-8" : charset.name();
      return String.format(java.util.Locale.ROOT, "not %s at byte %d (0x%02X); save the file as %s%s", name, offset, value, name,
          charset.equals(StandardCharsets.UTF_8) ? " or set task.dataset.encoding" : "");
    }
  }

  /** The first file under {@code path} (itself, or the files of a folder) that is not valid UTF-8. */
  static Optional<Invalid> firstInvalid(Path path) throws IOException {
    return firstInvalid(path, StandardCharsets.UTF_8);
  }

  static Optional<Invalid> firstInvalid(Path path, java.nio.charset.Charset charset) throws IOException {
    List<Path> files;
    if (Files.isDirectory(path)) {
      try (Stream<Path> s = Files.list(path)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
    } else {
      files = List.of(path);
    }
    for (Path f : files) {
      Optional<Invalid> bad = invalidAt(f, charset);
      if (bad.isPresent()) {
        return bad;
      }
    }
    return Optional.empty();
  }

  private static Optional<Invalid> invalidAt(Path file, java.nio.charset.Charset charset) throws IOException {
    CharsetDecoder decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    try (InputStream in = open(file)) {
      byte[] all = in.readAllBytes();
      ByteBuffer bytes = ByteBuffer.wrap(all);
      CharBuffer chars = CharBuffer.allocate(all.length * 2 + 2);
      CoderResult r = decoder.decode(bytes, chars, true);
      if (!r.isError()) {
        return Optional.empty();
      }
      int offset = bytes.position();
      long line = 1;
      for (int i = 0; i < offset; i++) {
        if (all[i] == '\n') {
          line++;
        }
      }
      return Optional.of(new Invalid(file, line, offset, all[offset] & 0xFF, charset));
    }
  }

  private static InputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file));
    String name = file.getFileName().toString();
    if (name.endsWith(".gz")) {
      return new GZIPInputStream(raw);
    }
    return name.endsWith(".bz2") ? new BZip2CompressorInputStream(raw) : raw;
  }
}

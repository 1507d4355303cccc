package dev.kansoku.cli;

import dev.kansoku.task.RequestId;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Running the command line in-process, and fingerprinting a results directory to prove it unchanged. */
final class CliRuns {
  /** A command's exit code and what it printed. */
  record Run(int code, String out, String err) {}

  private CliRuns() {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KansokuCli.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Every file under {@code results} (relative path) and the SHA-256 of its bytes. */
  static Map<String, String> snapshot(Path results) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(results)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        files.put(results.relativize(p).toString(), RequestId.sha256(java.util.HexFormat.of().formatHex(Files.readAllBytes(p))));
      }
    }
    return files;
  }
}

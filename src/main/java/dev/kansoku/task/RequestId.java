package dev.kansoku.task;

import dev.kansoku.config.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content identity of a request: SHA-256 over everything that determines its output — model id and
 * revision, task id and version, example id, choice, request kind, the full context and continuation and the
 * decoding parameters. Each field is length-prefixed so that no two different requests share an encoding.
 */
public final class RequestId {
  /** Bumped when the canonical encoding itself changes. */
  static final String SCHEME = "kansoku-request-v1";

  private RequestId() {}

  public static String of(ModelSpec model, PlannedRequest r) {
    StringBuilder canonical = new StringBuilder();
    append(canonical, SCHEME);
    append(canonical, model.id());
    append(canonical, model.revision());
    append(canonical, r.taskId());
    append(canonical, r.taskVersion());
    append(canonical, r.exampleId());
    append(canonical, Integer.toString(r.choiceIndex()));
    append(canonical, r.kind());
    append(canonical, r.context());
    append(canonical, r.continuation() == null ? "\u0000null" : r.continuation());
    append(canonical, Integer.toString(r.maxNewTokens()));
    append(canonical, Integer.toString(r.stop().size()));
    r.stop().forEach(s -> append(canonical, s));
    append(canonical, Boolean.toString(r.addSpecialTokens()));
    PlannedRequest.Decoding d = r.decoding();
    if (d.sampled()) {
      append(canonical, "sample");
      append(canonical, Double.toString(d.temperature()));
      append(canonical, Double.toString(d.topP()));
      append(canonical, Integer.toString(d.topK()));
      append(canonical, Long.toString(d.seed()));
    } else {
      append(canonical, "greedy"); // greedy ids are unchanged from before sampling existed
    }
    return sha256(canonical.toString());
  }

  /** A 63-bit seed derived from its parts, for per-sample random streams. */
  public static long seed(String... parts) {
    StringBuilder b = new StringBuilder();
    for (String p : parts) {
      append(b, p);
    }
    return Long.parseUnsignedLong(sha256(b.toString()).substring(0, 15), 16);
  }

  public static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }

  private static void append(StringBuilder sb, String field) {
    sb.append(field.length()).append(':').append(field).append(';');
  }
}

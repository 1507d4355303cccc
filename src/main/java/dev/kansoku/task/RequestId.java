package dev.kansoku.task;

import dev.kansoku.config.RequestKind;
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
  /**
   * The token rule of log-likelihood requests: since session 13 the context is encoded on its own, as
   * lm-evaluation-harness' {@code _encode_pair} does (before, the whole text's first tokens, which differ where a
   * tokenizer merges across the boundary). Part of a log-likelihood request's id, so that responses scored under the old
   * rule are computed again rather than reused; generation requests keep their ids.
   */
  static final String PAIR_ENCODING = "pair:context-encoded-alone";

  /**
   * The shapes of generation since session 17: a prompt is prefilled at its own {@code bucket} (steps of an eighth, as
   * scoring pads) where before it was padded to the power of two at or above its length, and decodes in shared lanes
   * where a grouped-query model's query heads of a group run as one product. Both change the last bits of a
   * generation; part of a generation request's id, so that generations stored under the old shapes are computed
   * again rather than mixed with new ones (a resumed run stays bit-identical to a fresh one).
   */
  static final String GENERATION_SHAPES = "gen:lanes;prompt-bucket-eighths;grouped-decode";

  private RequestId() {}

  /** The id of one planned request for one model, from the columns of its requests row (the plan stage computes it here, once). */
  public static String of(String modelId, String modelRevision, String taskId, String taskVersion, String exampleId, int choiceIndex,
                          RequestKind kind, String context, String continuation, int maxNewTokens, java.util.List<String> stop,
                          boolean addSpecialTokens, double temperature, double topP, int topK, long seed) {
    StringBuilder canonical = new StringBuilder();
    append(canonical, SCHEME);
    append(canonical, modelId);
    append(canonical, modelRevision);
    append(canonical, taskId);
    append(canonical, taskVersion);
    append(canonical, exampleId);
    append(canonical, Integer.toString(choiceIndex));
    append(canonical, kind.label());
    if (kind == RequestKind.LOGLIKELIHOOD) {
      append(canonical, PAIR_ENCODING);
    } else {
      append(canonical, GENERATION_SHAPES);
    }
    append(canonical, context);
    append(canonical, continuation == null ? "\u0000null" : continuation);
    append(canonical, Integer.toString(maxNewTokens));
    append(canonical, Integer.toString(stop.size()));
    stop.forEach(s -> append(canonical, s));
    append(canonical, Boolean.toString(addSpecialTokens));
    if (temperature > 0) {
      append(canonical, "sample");
      append(canonical, Double.toString(temperature));
      append(canonical, Double.toString(topP));
      append(canonical, Integer.toString(topK));
      append(canonical, Long.toString(seed));
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

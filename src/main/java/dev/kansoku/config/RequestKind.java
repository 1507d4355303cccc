package dev.kansoku.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a request asks of a model, after lm-evaluation-harness' request types: the log-likelihood of a given
 * continuation (one request per choice of a multiple-choice example), or text generated until a stop sequence.
 * {@link #label()} is the name in task files, in the {@code request_kind} column and in request ids.
 */
public enum RequestKind {
  LOGLIKELIHOOD("loglikelihood"),
  GENERATE_UNTIL("generate_until");

  private final String label;

  RequestKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** The kind named {@code label}; an unknown name is an error that lists the known ones. */
  public static RequestKind parse(String label) {
    for (RequestKind k : values()) {
      if (k.label.equals(label)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown request kind '" + label + "' (known: " + known() + ")");
  }

  /** The known labels, comma-separated, for error messages. */
  public static String known() {
    return Arrays.stream(values()).map(RequestKind::label).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return label;
  }
}

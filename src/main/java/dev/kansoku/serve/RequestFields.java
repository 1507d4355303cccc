package dev.kansoku.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The checks and fields /v1/completions and /v1/chat/completions read alike, with OpenAI's error envelope. */
final class RequestFields {
  private RequestFields() {}

  /** A JSON object with only {@code known} keys, not streamed, {@code n} = 1 at most. */
  static void requireSupported(JsonNode body, Set<String> known) {
    if (body == null || !body.isObject()) {
      throw ApiError.invalid(null, "the body must be a JSON object");
    }
    body.fieldNames().forEachRemaining(k -> {
      if (!known.contains(k)) {
        throw ApiError.invalid(k, "'" + k + "' is not supported by this server (it would change the result, so it is not ignored)");
      }
    });
    if (body.path("stream").asBoolean(false)) {
      throw ApiError.invalid("stream", "streaming is not supported");
    }
    if (body.has("n") && body.get("n").asInt(-1) != 1) {
      throw ApiError.invalid("n", "only n = 1 is supported");
    }
  }

  /** {@code model}, required. */
  static String model(JsonNode body) {
    JsonNode model = body.get("model");
    if (model == null || !model.isTextual()) {
      throw ApiError.invalid("model", "'model' is required (a string)");
    }
    return model.asText();
  }

  /** {@code temperature} (default 1, ≥ 0) and {@code top_p} (default 1, in (0, 1]). */
  static double[] sampling(JsonNode body) {
    double temperature = number(body, "temperature", 1.0);
    double topP = number(body, "top_p", 1.0);
    if (temperature < 0 || topP <= 0 || topP > 1) {
      throw ApiError.invalid(temperature < 0 ? "temperature" : "top_p", "out of range");
    }
    return new double[] {temperature, topP};
  }

  /** {@code stop}: a string or a list of strings; none when absent. */
  static List<String> stop(JsonNode body) {
    List<String> stop = new ArrayList<>();
    JsonNode s = body.get("stop");
    if (s != null && !s.isNull()) {
      if (s.isTextual()) {
        stop.add(s.asText());
      } else if (s.isArray()) {
        s.forEach(x -> stop.add(x.asText()));
      } else {
        throw ApiError.invalid("stop", "'stop' must be a string or a list of strings");
      }
    }
    return stop;
  }

  static long seed(JsonNode body) {
    return body.hasNonNull("seed") ? body.get("seed").asLong() : 0L;
  }

  private static double number(JsonNode body, String key, double fallback) {
    JsonNode v = body.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isNumber()) {
      throw ApiError.invalid(key, "'" + key + "' must be a number");
    }
    return v.asDouble();
  }
}

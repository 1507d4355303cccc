package dev.kansoku.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code POST /v1/completions} body as OpenAI's API and vLLM's server read it, checked: {@code prompt} as a string,
 * strings, token ids or lists of token ids; {@code max_tokens} (16), {@code temperature} (1), {@code top_p} (1),
 * {@code stop}, {@code seed}, {@code echo}, {@code logprobs}, {@code n} (1 only) and vLLM's {@code add_special_tokens}
 * (true, for string prompts). A key Kansoku does not implement and that changes the result is refused by name.
 *
 * @param prompts each prompt as text (null for a token prompt) and as token ids (null for a text prompt)
 */
record CompletionRequest(String model, List<String> texts, List<long[]> ids, int maxTokens, double temperature, double topP,
                         List<String> stop, long seed, boolean echo, Integer logprobs, boolean addSpecialTokens) {
  /** Keys read here, and keys that do not change the numbers (streaming is refused below). */
  private static final java.util.Set<String> KNOWN = java.util.Set.of("model", "prompt", "max_tokens", "temperature", "top_p",
      "stop", "seed", "echo", "logprobs", "n", "add_special_tokens", "user", "stream");

  static CompletionRequest parse(JsonNode body) {
    RequestFields.requireSupported(body, KNOWN);
    String model = RequestFields.model(body);
    List<String> texts = new ArrayList<>();
    List<long[]> ids = new ArrayList<>();
    JsonNode prompt = body.get("prompt");
    if (prompt == null || prompt.isNull()) {
      throw ApiError.invalid("prompt", "'prompt' is required");
    }
    if (prompt.isTextual()) {
      texts.add(prompt.asText());
      ids.add(null);
    } else if (prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isIntegralNumber()) {
      texts.add(null);
      ids.add(tokenIds(prompt));
    } else if (prompt.isArray() && !prompt.isEmpty()) {
      for (JsonNode p : prompt) {
        if (p.isTextual()) {
          texts.add(p.asText());
          ids.add(null);
        } else if (p.isArray() && !p.isEmpty()) {
          texts.add(null);
          ids.add(tokenIds(p));
        } else {
          throw ApiError.invalid("prompt", "each prompt must be a string or a non-empty list of token ids");
        }
      }
    } else {
      throw ApiError.invalid("prompt", "'prompt' must be a string, strings, token ids or lists of token ids");
    }
    int maxTokens = intIn(body, "max_tokens", 16, 0);
    double[] sampling = RequestFields.sampling(body);
    Integer logprobs = body.hasNonNull("logprobs") ? intIn(body, "logprobs", 0, 0) : null;
    return new CompletionRequest(model, texts, ids, maxTokens, sampling[0], sampling[1], RequestFields.stop(body),
        RequestFields.seed(body), body.path("echo").asBoolean(false), logprobs,
        body.path("add_special_tokens").asBoolean(true));
  }

  private static long[] tokenIds(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = array.get(i);
      if (!v.isIntegralNumber() || v.asLong() < 0) {
        throw ApiError.invalid("prompt", "token ids must be non-negative integers");
      }
      out[i] = v.asLong();
    }
    return out;
  }

  private static int intIn(JsonNode body, String key, int fallback, int min) {
    JsonNode v = body.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > Integer.MAX_VALUE) {
      throw ApiError.invalid(key, "'" + key + "' must be an integer ≥ " + min);
    }
    return v.asInt();
  }

}

package dev.kansoku.remote;

import dev.kansoku.config.ModelSpec;
import dev.kansoku.inference.ModelFormatException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A served model's {@code model.backend} section: {@code endpoint} (the server's {@code …/v1}), {@code served-name}
 * (default: the model id), {@code api-key-env} (the environment variable holding the bearer token; the key itself is
 * never in a file, a log or a result), {@code profile} ({@code vllm}: echo and prompt log-probabilities, as vLLM, SGLang
 * and {@code kansoku serve} answer; {@code llamacpp}: generation only; {@code tgi}: generation only, prompts sent as
 * text, since TGI's OpenAI routes take no token ids), {@code max-concurrency} (8),
 * {@code timeout-seconds} (300 per request), {@code retries} (5) and {@code tokenizer} ({@code local}: the model
 * directory's tokenizer.json; {@code server}: the server's {@code /tokenize}). Any other key is an error naming it.
 */
record RemoteOptions(URI endpoint, String servedName, String apiKeyEnv, String profile, int maxConcurrency, int timeoutSeconds,
                     int retries, boolean serverTokenizer) {
  static final Set<String> KEYS = Set.of("endpoint", "served-name", "api-key-env", "profile", "max-concurrency", "timeout-seconds",
      "retries", "tokenizer");
  static final Set<String> PROFILES = Set.of("vllm", "llamacpp", "tgi");

  static RemoteOptions of(ModelSpec spec) {
    Map<String, String> o = spec.backendOptions();
    Path file = spec.sourceFile() == null ? Path.of(spec.id()) : Path.of(spec.sourceFile());
    for (String key : o.keySet()) {
      if (!KEYS.contains(key)) {
        throw new ModelFormatException(file, "model.backend." + key, "not an option of format '" + spec.format() + "' (known: "
            + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
      }
    }
    String endpoint = o.get("endpoint");
    if (endpoint == null || !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
      throw new ModelFormatException(file, "model.backend.endpoint", "required: the server's URL, e.g. http://127.0.0.1:8000/v1");
    }
    String profile = o.getOrDefault("profile", "vllm");
    if (!PROFILES.contains(profile)) {
      throw new ModelFormatException(file, "model.backend.profile", "'" + profile + "' is not implemented (vllm, llamacpp, tgi)");
    }
    String tokenizer = o.getOrDefault("tokenizer", "local");
    if (!Set.of("local", "server").contains(tokenizer)) {
      throw new ModelFormatException(file, "model.backend.tokenizer", "'" + tokenizer + "' is not known (local, server)");
    }
    return new RemoteOptions(URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/"), o.getOrDefault("served-name", spec.id()),
        o.get("api-key-env"), profile, positive(o, "max-concurrency", 8, file), positive(o, "timeout-seconds", 300, file),
        positive(o, "retries", 5, file), tokenizer.equals("server"));
  }

  /** The server's root, where vLLM serves /tokenize and /detokenize: the endpoint without its trailing {@code v1/}. */
  URI root() {
    String e = endpoint.toString();
    return e.endsWith("/v1/") ? URI.create(e.substring(0, e.length() - "v1/".length())) : endpoint;
  }

  private static int positive(Map<String, String> o, String key, int fallback, Path file) {
    String v = o.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ModelFormatException(file, "model.backend." + key, "expected a non-negative integer, got " + v);
  }

  /** The bearer token, read from the environment when asked (null without {@code api-key-env}). */
  String apiKey(Path file) {
    if (apiKeyEnv == null) {
      return null;
    }
    String key = System.getenv(apiKeyEnv);
    if (key == null || key.isEmpty()) {
      throw new ModelFormatException(file, "model.backend.api-key-env", "environment variable " + apiKeyEnv + " is not set");
    }
    return key;
  }
}

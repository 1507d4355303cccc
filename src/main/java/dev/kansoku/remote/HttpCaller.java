package dev.kansoku.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * JSON over HTTP to one server, with the retry policy a long evaluation needs: connection errors, 429 and 5xx are
 * retried (Retry-After honoured, else exponential back-off with jitter), a 4xx other than 429 never is — it is an
 * error naming the server's message. Every request has a timeout.
 */
final class HttpCaller {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final URI base;
  private final String apiKey;
  private final Duration timeout;
  private final int retries;

  HttpCaller(URI base, String apiKey, int timeoutSeconds, int retries) {
    this.base = base;
    this.apiKey = apiKey;
    this.timeout = Duration.ofSeconds(timeoutSeconds);
    this.retries = retries;
  }

  JsonNode get(String path) {
    return call(path, null);
  }

  JsonNode post(String path, JsonNode body) {
    return call(path, body);
  }

  private JsonNode call(String path, JsonNode body) {
    URI uri = base.resolve(path);
    for (int attempt = 0; ; attempt++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json");
      if (apiKey != null) {
        b.header("Authorization", "Bearer " + apiKey);
      }
      b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body.toString()));
      long waitMs;
      String why;
      try {
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        int status = r.statusCode();
        if (status == 200) {
          return JSON.readTree(r.body());
        }
        if (status != 429 && status < 500) {
          throw new RemoteCallException(uri + " answered " + status + ": " + message(r.body()));
        }
        why = status + " " + message(r.body());
        waitMs = r.headers().firstValue("Retry-After").map(HttpCaller::retryAfterMs).orElse(backoffMs(attempt));
      } catch (IOException e) {
        why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        waitMs = backoffMs(attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RemoteCallException(uri + ": interrupted");
      }
      if (attempt >= retries) {
        throw new RemoteCallException(uri + ": " + why + " (after " + (attempt + 1) + " attempts)");
      }
      try {
        Thread.sleep(waitMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RemoteCallException(uri + ": interrupted");
      }
    }
  }

  /** 0.5 s, 1 s, 2 s, … up to 30 s, each ± 50 % so that clients do not retry in step. */
  private static long backoffMs(int attempt) {
    long base = Math.min(30_000L, 500L << Math.min(attempt, 6));
    return (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble()));
  }

  /** Retry-After in seconds (an HTTP date is read as 1 s), capped at a minute. */
  private static long retryAfterMs(String value) {
    try {
      return Math.min(60_000L, Math.max(0L, (long) (Double.parseDouble(value.trim()) * 1000)));
    } catch (NumberFormatException e) {
      return 1000L;
    }
  }

  /** The server's error message (OpenAI's envelope, or the body's first line). */
  private static String message(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.path("error").has("message")) {
        return n.path("error").path("message").asText();
      }
    } catch (IOException e) {
      // not JSON
    }
    return body == null ? "" : body.lines().findFirst().orElse("");
  }
}

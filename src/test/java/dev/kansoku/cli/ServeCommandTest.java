package dev.kansoku.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.inference.RandomCheckpoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code kansoku serve} as a user starts it: a process that prints its address, answers, refuses a missing token with
 * 401, and on SIGTERM finishes and exits; a missing API-key variable is one line and exit 2.
 */
class ServeCommandTest {
  private static Process start(List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules=jdk.incubator.vector", "-Dai.djl.offline=true", "-Dai.djl.default_engine=PyTorch", "-cp",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), "dev.kansoku.cli.KansokuCli", "serve"));
    command.addAll(args);
    ProcessBuilder b = new ProcessBuilder(command).directory(TestPaths.REPO.toFile()).redirectErrorStream(true);
    b.environment().put("KANSOKU_TEST_KEY", "sesame");
    return b.start();
  }

  @Test
  void servesUntilTerminated() throws Exception {
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    Process p = start(List.of("--model", "data/models/kansoku-tiny-llama", "--port", "0", "--api-key-env", "KANSOKU_TEST_KEY",
        "--max-length", "512"));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      Pattern serving = Pattern.compile("serving kansoku-tiny-llama on (http://127\\.0\\.0\\.1:\\d+/v1)");
      String base = null;
      StringBuilder seen = new StringBuilder();
      for (String line; base == null && (line = out.readLine()) != null; ) {
        seen.append(line).append('\n');
        Matcher m = serving.matcher(line);
        if (m.find()) {
          base = m.group(1);
        }
      }
      assertTrue(base != null, "no address printed:\n" + seen);
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> models = client.send(HttpRequest.newBuilder(URI.create(base + "/models")).header("Authorization", "Bearer sesame")
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, models.statusCode(), models.body());
      assertTrue(models.body().contains("\"id\":\"kansoku-tiny-llama\""), models.body());
      HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(URI.create(base + "/models")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(401, anonymous.statusCode());
      p.destroy(); // SIGTERM: the shutdown hook closes the server after its queued work
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running after SIGTERM");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aMissingKeyVariableIsOneLine() throws Exception {
    Process p = start(List.of("--model", "data/models/kansoku-tiny-llama", "--api-key-env", "KANSOKU_NO_SUCH_VARIABLE"));
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue(), output);
    assertTrue(output.contains("KANSOKU_NO_SUCH_VARIABLE is not set"), output);
  }
}

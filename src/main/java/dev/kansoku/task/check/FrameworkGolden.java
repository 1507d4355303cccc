package dev.kansoku.task.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * What a reference framework renders for one task, as written by
 * {@code src/test/python/framework_prompts/render_all.sh} ({@code <task>.json.gz}): the digest of every
 * request, its special-token rule with the framework line that decides it, its stop sequences and generation
 * budget, and the first requests in full.
 */
public record FrameworkGolden(String task, String framework, boolean addSpecialTokens, String addSpecialTokensRule,
                              List<List<String>> stopSequences, List<Integer> maxNewTokens, int requests,
                              List<Sample> samples, List<String> digests) {

  /** A request kept in full. */
  public record Sample(String kind, String context, String continuation) {
  }

  public static FrameworkGolden read(Path file) throws IOException {
    JsonNode j;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      j = new ObjectMapper().readTree(in);
    }
    List<List<String>> stops = new ArrayList<>();
    j.get("stop_sequences").forEach(s -> stops.add(strings(s)));
    List<Integer> maxNew = new ArrayList<>();
    j.get("max_new_tokens").forEach(n -> maxNew.add(n.asInt()));
    List<Sample> samples = new ArrayList<>();
    j.get("samples").forEach(s -> samples.add(new Sample(s.get("kind").asText(), s.get("context").asText(),
        s.get("continuation").isNull() ? null : s.get("continuation").asText())));
    return new FrameworkGolden(j.get("task").asText(), j.get("framework").asText(), j.get("add_special_tokens").asBoolean(),
        j.get("add_special_tokens_rule").asText(), stops, maxNew, j.get("requests").asInt(), samples, strings(j.get("digests")));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}

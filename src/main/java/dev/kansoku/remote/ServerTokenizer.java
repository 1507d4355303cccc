package dev.kansoku.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kansoku.inference.TokenEncoder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token ids from the server's own tokenizer ({@code model.backend.tokenizer = "server"}), for a served model whose
 * tokenizer.json is not at hand: vLLM's {@code POST /tokenize} at the server's root ({@code {"prompt",
 * "add_special_tokens"}} → {@code {"tokens"}}), as lm-evaluation-harness' remote tokenizer asks it. The harness' pair
 * rules are applied to these ids exactly as to local ones. Recent encodings are kept (a question's choices share their
 * context).
 */
final class ServerTokenizer implements TokenEncoder {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CACHED = 4096;
  private final HttpCaller root;
  private final Map<String, long[]> recent = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
      return size() > CACHED;
    }
  };

  ServerTokenizer(HttpCaller root) {
    this.root = root;
  }

  @Override
  public long[] encode(String text, boolean addSpecialTokens) {
    String key = (addSpecialTokens ? "1" : "0") + text;
    synchronized (recent) {
      long[] hit = recent.get(key);
      if (hit != null) {
        return hit.clone();
      }
    }
    ObjectNode body = JSON.createObjectNode().put("prompt", text).put("add_special_tokens", addSpecialTokens);
    JsonNode tokens = root.post("tokenize", body).get("tokens");
    if (tokens == null || !tokens.isArray()) {
      throw new RemoteCallException("the server's /tokenize answered without a 'tokens' list");
    }
    long[] ids = new long[tokens.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = tokens.get(i).asLong();
    }
    synchronized (recent) {
      recent.put(key, ids.clone());
    }
    return ids;
  }
}

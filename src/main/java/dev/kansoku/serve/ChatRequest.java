package dev.kansoku.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code POST /v1/chat/completions} body, checked as OpenAI's API and vLLM's server read it: {@code messages}
 * (role, content as a string, text parts or null, tool calls), {@code max_tokens}/{@code max_completion_tokens}
 * (default: the rest of the context, as vLLM), {@code temperature}, {@code top_p}, {@code stop}, {@code seed},
 * {@code tools} (given to the template; calls come back as text) and vLLM's template options
 * {@code add_generation_prompt} (true), {@code continue_final_message} (false), {@code chat_template_kwargs},
 * {@code documents}, {@code add_special_tokens} (false: the template writes them), {@code logprobs} with
 * {@code top_logprobs} (0–20). A key that would change the answer and is not implemented (penalties, logit_bias,
 * response_format, forced tool choice, streaming, n &gt; 1) is refused by name.
 *
 * @param messages each message as the template sees it; with content "string" text parts are joined by newlines,
 *     as vLLM's string content format does
 */
record ChatRequest(String model, List<Map<String, Object>> messages, Integer maxTokens, double temperature, double topP,
                   List<String> stop, long seed, List<?> tools, List<?> documents, boolean addGenerationPrompt,
                   boolean continueFinalMessage, Map<String, Object> templateVariables, boolean addSpecialTokens,
                   Integer topLogprobs) {
  private static final Set<String> KNOWN = Set.of("model", "messages", "max_tokens", "max_completion_tokens", "temperature",
      "top_p", "stop", "seed", "n", "stream", "user", "tools", "tool_choice", "parallel_tool_calls", "documents",
      "add_generation_prompt", "continue_final_message", "chat_template_kwargs", "add_special_tokens", "logprobs", "top_logprobs",
      "frequency_penalty", "presence_penalty", "metadata", "store");
  private static final ObjectMapper JSON = new ObjectMapper();

  static ChatRequest parse(JsonNode body, CompletionServer.ChatContentFormat format) {
    RequestFields.requireSupported(body, KNOWN);
    Integer topLogprobs = null;
    if (body.path("logprobs").asBoolean(false)) {
      JsonNode top = body.get("top_logprobs");
      if (top != null && !top.isNull() && (!top.isIntegralNumber() || top.asInt() < 0 || top.asInt() > Completions.MAX_LOGPROBS)) {
        throw ApiError.invalid("top_logprobs", "'top_logprobs' must be an integer from 0 to " + Completions.MAX_LOGPROBS);
      }
      topLogprobs = top == null || top.isNull() ? 0 : top.asInt();
    } else if (body.hasNonNull("top_logprobs")) {
      throw ApiError.invalid("top_logprobs", "'top_logprobs' needs 'logprobs': true");
    }
    for (String penalty : List.of("frequency_penalty", "presence_penalty")) {
      if (body.hasNonNull(penalty) && body.get(penalty).asDouble() != 0) {
        throw ApiError.invalid(penalty, "'" + penalty + "' is not implemented (only 0)");
      }
    }
    JsonNode choice = body.get("tool_choice");
    if (choice != null && !choice.isNull() && !(choice.isTextual() && Set.of("auto", "none").contains(choice.asText()))) {
      throw ApiError.invalid("tool_choice", "only 'auto' and 'none' are supported (tool calls are not constrained or parsed)");
    }
    String model = RequestFields.model(body);
    JsonNode msgs = body.get("messages");
    if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
      throw ApiError.invalid("messages", "'messages' must be a non-empty list");
    }
    List<Map<String, Object>> messages = new ArrayList<>();
    for (int i = 0; i < msgs.size(); i++) {
      messages.add(message(msgs.get(i), i, format));
    }
    Integer maxTokens = null;
    for (String key : List.of("max_completion_tokens", "max_tokens")) {
      if (body.hasNonNull(key)) {
        JsonNode v = body.get(key);
        if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
          throw ApiError.invalid(key, "'" + key + "' must be an integer ≥ 1");
        }
        maxTokens = v.asInt();
      }
    }
    double[] sampling = RequestFields.sampling(body);
    Map<String, Object> variables = new LinkedHashMap<>();
    JsonNode kwargs = body.get("chat_template_kwargs");
    if (kwargs != null && !kwargs.isNull()) {
      if (!kwargs.isObject()) {
        throw ApiError.invalid("chat_template_kwargs", "'chat_template_kwargs' must be an object");
      }
      variables.putAll(JSON.convertValue(kwargs, Map.class));
    }
    boolean addGenerationPrompt = body.path("add_generation_prompt").asBoolean(true);
    boolean continueFinal = body.path("continue_final_message").asBoolean(false);
    if (addGenerationPrompt && continueFinal) {
      throw ApiError.invalid("continue_final_message", "continue_final_message and add_generation_prompt cannot both be true");
    }
    return new ChatRequest(model, messages, maxTokens, sampling[0], sampling[1], RequestFields.stop(body), RequestFields.seed(body),
        list(body, "tools"), list(body, "documents"),
        addGenerationPrompt, continueFinal, variables, body.path("add_special_tokens").asBoolean(false), topLogprobs);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> message(JsonNode m, int i, CompletionServer.ChatContentFormat format) {
    if (!m.isObject() || !m.path("role").isTextual()) {
      throw ApiError.invalid("messages", "message " + i + " needs a string 'role'");
    }
    Map<String, Object> out = JSON.convertValue(m, LinkedHashMap.class);
    JsonNode content = m.get("content");
    if (content != null && content.isArray() && format == CompletionServer.ChatContentFormat.STRING) {
      List<String> texts = new ArrayList<>();
      for (JsonNode part : content) {
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw ApiError.invalid("messages", "message " + i + ": only text content parts are supported");
        }
        texts.add(part.get("text").asText());
      }
      out.put("content", String.join("\n", texts));
    } else if (content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
      throw ApiError.invalid("messages", "message " + i + ": 'content' must be a string, a list of parts or null");
    }
    return out;
  }

  private static List<?> list(JsonNode body, String key) {
    JsonNode v = body.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw ApiError.invalid(key, "'" + key + "' must be a list");
    }
    return JSON.convertValue(v, List.class);
  }

}

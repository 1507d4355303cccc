package dev.kansoku.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.kansoku.text.PyStrings;
import dev.kansoku.text.chat.ChatTemplate;
import dev.kansoku.text.jinja.TemplateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chat-form prompt as lm-evaluation-harness 0.4.13 builds it ({@code ConfigurableTask.fewshot_context} with
 * {@code apply_chat_template}): the system message ({@code system_instruction} and the task's description, joined by
 * {@code maybe_delimit}), one user/assistant pair per shot ({@code build_qa_turn}: the question with the target
 * delimiter when an answer follows, the answer with the few-shot delimiter), the question as the last user message;
 * without {@code fewshot_as_multiturn}, {@code multiturn_to_singleturn} folds everything after the system message
 * into one user message of the turns' texts with their delimiters. Stored as JSON, the form a chat template takes.
 */
public final class ChatMessages {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One harness {@code Message}: role, content and the delimiter its plain-text form appends. */
  private record Turn(String role, String content, String delimiter) {}

  private final List<Turn> turns = new ArrayList<>();

  /** Starts with the system message when {@code maybe_delimit(systemInstruction, description, fewshotDelimiter)} is not empty. */
  public ChatMessages(String systemInstruction, String description, String fewshotDelimiter) {
    String system = maybeDelimit(systemInstruction, description, fewshotDelimiter);
    if (!system.isEmpty()) {
      turns.add(new Turn("system", system, ""));
    }
  }

  /** A shot: its question, then its answer (an empty answer adds no assistant turn, as {@code has_answer} decides). */
  public ChatMessages shot(String question, String answer, String targetDelimiter, String fewshotDelimiter) {
    boolean hasAnswer = answer != null && !answer.isEmpty();
    turns.add(new Turn("user", question, hasAnswer ? targetDelimiter : ""));
    if (hasAnswer) {
      turns.add(new Turn("assistant", answer, fewshotDelimiter));
    }
    return this;
  }

  /** The evaluated question, then the messages as JSON ({@code fewshot_as_multiturn} or folded into one user turn). */
  public String question(String question, boolean multiturn) {
    turns.add(new Turn("user", question, ""));
    List<Map<String, String>> out = new ArrayList<>();
    if (multiturn) {
      turns.forEach(t -> out.add(message(t.role(), t.content())));
    } else {
      boolean system = turns.get(0).role().equals("system");
      if (system) {
        out.add(message("system", turns.get(0).content()));
      }
      StringBuilder user = new StringBuilder();
      List<Turn> rest = turns.subList(system ? 1 : 0, turns.size());
      for (int i = 0; i < rest.size(); i++) {
        user.append(rest.get(i).content()).append(i == rest.size() - 1 ? "" : rest.get(i).delimiter());
      }
      out.add(message("user", user.toString()));
    }
    try {
      return JSON.writeValueAsString(out);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> message(String role, String content) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("role", role);
    m.put("content", content);
    return m;
  }

  /** The messages of a stored JSON form, as a chat template takes them. */
  public static List<Map<String, Object>> parse(String json) {
    List<Map<String, Object>> out = new ArrayList<>();
    try {
      for (JsonNode m : (ArrayNode) JSON.readTree(json)) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", m.get("role").asText());
        message.put("content", m.get("content").asText());
        out.add(message);
      }
    } catch (JsonProcessingException | ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("not a chat messages list: " + json, e);
    }
    return out;
  }

  /** A chat-form prompt rendered by one model's template. */
  public record Rendered(String context, boolean startsWithBos, boolean systemDropped) {}

  /**
   * The context lm-evaluation-harness' HF model gives a chat-form prompt ({@code HFLM.apply_chat_template}): the
   * template with the generation prompt; where the template refuses the conversation (a jinja2 TemplateError, e.g. a
   * template without a system role), again without the system messages. {@code startsWithBos}: the text begins with
   * the tokenizer's BOS token, so the harness encodes it without special tokens ({@code has_bos_prefix}).
   */
  public static Rendered render(String json, ChatTemplate template) {
    List<Map<String, Object>> messages = parse(json);
    String text;
    boolean dropped = false;
    try {
      text = template.render(messages, ChatTemplate.Options.generationPrompt());
    } catch (TemplateException e) {
      if (e.kind() == TemplateException.Kind.TYPE || e.kind() == TemplateException.Kind.UNSUPPORTED) {
        throw e;
      }
      text = template.render(messages.stream().filter(m -> !"system".equals(m.get("role"))).toList(),
          ChatTemplate.Options.generationPrompt());
      dropped = true;
    }
    String bos = template.specialTokens().get("bos_token");
    return new Rendered(text, bos != null && !bos.isEmpty() && text.startsWith(bos), dropped);
  }

  /** lm-evaluation-harness' {@code maybe_delimit}: the delimiter only where neither side has whitespace at the join. */
  static String maybeDelimit(String prefix, String suffix, String delimiter) {
    if (prefix == null || prefix.isEmpty()) {
      return suffix == null ? "" : suffix;
    }
    if (suffix == null || suffix.isEmpty()) {
      return prefix;
    }
    boolean space = PyStrings.isSpace(prefix.codePointBefore(prefix.length())) || PyStrings.isSpace(suffix.codePointAt(0));
    return space ? prefix + suffix : prefix + delimiter + suffix;
  }
}

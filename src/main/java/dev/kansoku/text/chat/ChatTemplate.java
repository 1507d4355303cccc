package dev.kansoku.text.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kansoku.text.PyStrings;
import dev.kansoku.text.jinja.JinjaTemplate;
import dev.kansoku.text.jinja.TemplateException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A model's chat template, found and applied as transformers' tokenizer does ({@code get_chat_template},
 * {@code apply_chat_template}): {@code chat_template.jinja} and {@code additional_chat_templates/*.jinja} take
 * priority over {@code tokenizer_config.json}'s {@code chat_template} (a string, or a list of named templates);
 * with several, "default" is used, or "tool_use" when tools are given. The template sees the conversation as
 * {@code messages}, {@code tools} and {@code documents} (None when absent), {@code add_generation_prompt}, the
 * tokenizer's named special tokens as strings ({@code bos_token}, {@code eos_token}, …) and any extra variables.
 * The rendered text is tokenized without special tokens (the template writes them).
 */
public final class ChatTemplate {
  /** transformers' SPECIAL_TOKENS_ATTRIBUTES: the special tokens a template sees by name. */
  static final List<String> SPECIAL_TOKENS = List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token",
      "cls_token", "mask_token");
  private static final String CONTINUE_TAG = "CONTINUE_FINAL_MESSAGE_TAG ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Map<Source, ChatTemplate> COMPILED = new ConcurrentHashMap<>();

  private final Path source;
  private final Map<String, String> templates;
  private final Map<String, JinjaTemplate> compiled = new LinkedHashMap<>();
  private final Map<String, String> specialTokens;
  private final Clock clock;

  private ChatTemplate(Path source, Map<String, String> templates, Map<String, String> specialTokens, Clock clock) {
    this.source = source;
    this.templates = templates;
    this.specialTokens = specialTokens;
    this.clock = clock;
    templates.forEach((name, text) -> {
      try {
        compiled.put(name, JinjaTemplate.parse(text));
      } catch (TemplateException e) {
        throw new ChatTemplateException(source, name.equals("default") ? "chat_template" : "chat_template " + name, e.getMessage());
      }
    });
  }

  /** The model's template, or empty when it has none (a base model). */
  public static Optional<ChatTemplate> fromModelDirectory(Path dir) throws IOException {
    return fromModelDirectory(dir, Clock.systemDefaultZone());
  }

  /** A template from a file (vLLM's {@code --chat-template}) with the model's special tokens. */
  public static ChatTemplate fromFile(Path templateFile, Path modelDir) throws IOException {
    return new ChatTemplate(templateFile, Map.of("default", Files.readString(templateFile, StandardCharsets.UTF_8)),
        specialTokens(tokenizerConfig(modelDir)), Clock.systemDefaultZone());
  }

  private static JsonNode tokenizerConfig(Path dir) throws IOException {
    Path configFile = dir.resolve("tokenizer_config.json");
    if (!Files.isRegularFile(configFile)) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(Files.readString(configFile, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ChatTemplateException(configFile, "tokenizer_config.json", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static Map<String, String> specialTokens(JsonNode config) {
    Map<String, String> special = new LinkedHashMap<>();
    for (String key : SPECIAL_TOKENS) {
      JsonNode v = config.get(key);
      if (v != null && v.isTextual()) {
        special.put(key, v.asText());
      } else if (v != null && v.isObject() && v.path("content").isTextual()) {
        special.put(key, v.get("content").asText());
      }
    }
    return special;
  }

  public static Optional<ChatTemplate> fromModelDirectory(Path dir, Clock clock) throws IOException {
    Path configFile = dir.resolve("tokenizer_config.json");
    JsonNode config = tokenizerConfig(dir);
    Map<String, String> templates = new TreeMap<>();
    Path source = configFile;
    Path jinjaFile = dir.resolve("chat_template.jinja");
    Path extraDir = dir.resolve("additional_chat_templates");
    if (Files.isRegularFile(jinjaFile)) {
      templates.put("default", Files.readString(jinjaFile, StandardCharsets.UTF_8));
      source = jinjaFile;
    }
    if (Files.isDirectory(extraDir)) {
      try (Stream<Path> files = Files.list(extraDir)) {
        for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".jinja")).toList()) {
          String name = f.getFileName().toString();
          templates.put(name.substring(0, name.length() - ".jinja".length()), Files.readString(f, StandardCharsets.UTF_8));
        }
      }
    }
    if (templates.isEmpty()) {
      JsonNode t = config.get("chat_template");
      if (t == null || t.isNull()) {
        return Optional.empty();
      }
      if (t.isTextual()) {
        templates.put("default", t.asText());
      } else if (t.isArray()) {
        for (JsonNode entry : t) {
          if (!entry.path("name").isTextual() || !entry.path("template").isTextual()) {
            throw new ChatTemplateException(configFile, "chat_template", "a list entry needs a string name and template");
          }
          templates.put(entry.get("name").asText(), entry.get("template").asText());
        }
      } else {
        throw new ChatTemplateException(configFile, "chat_template", "must be a string or a list of {name, template}");
      }
    }
    return Optional.of(new ChatTemplate(source, templates, specialTokens(config), clock));
  }

  /** For tests and templates given inline: one default template and the special tokens by name. */
  public static ChatTemplate of(String template, Map<String, String> specialTokens) {
    return new ChatTemplate(Path.of("chat_template"), Map.of("default", template), Map.copyOf(specialTokens), Clock.systemDefaultZone());
  }

  public Map<String, String> specialTokens() {
    return specialTokens;
  }

  /** Where the template was read from. */
  public Path origin() {
    return source;
  }

  /** What this template is made of, to ship to executors (a few kilobytes): its texts by name and the special tokens. */
  public record Source(Map<String, String> templates, Map<String, String> specialTokens, String origin) implements Serializable {
    public Source {
      templates = new TreeMap<>(templates);
      specialTokens = new TreeMap<>(specialTokens);
    }
  }

  public Source source() {
    return new Source(templates, specialTokens, source.toString());
  }

  /** The template of a shipped source, parsed once per JVM. */
  public static ChatTemplate of(Source s) {
    return COMPILED.computeIfAbsent(s, x -> new ChatTemplate(Path.of(x.origin()), x.templates(), x.specialTokens(), Clock.systemDefaultZone()));
  }

  /** The template text used for these options (what a request id digests). */
  public String templateText(boolean withTools) {
    return templates.get(chooseName(withTools));
  }

  private String chooseName(boolean withTools) {
    if (templates.size() == 1) {
      return templates.keySet().iterator().next();
    }
    if (withTools && templates.containsKey("tool_use")) {
      return "tool_use";
    }
    if (templates.containsKey("default")) {
      return "default";
    }
    throw new ChatTemplateException(source, "chat_template", "several templates " + templates.keySet() + " and none named default");
  }

  /** One rendering's options; {@code tools}/{@code documents} null = absent (None in the template). */
  public record Options(boolean addGenerationPrompt, boolean continueFinalMessage, List<?> tools, List<?> documents,
      Map<String, ?> variables) {
    public static Options generationPrompt() {
      return new Options(true, false, null, null, Map.of());
    }
  }

  /**
   * @param messages role/content maps (content a string or a list of parts), as in OpenAI's and transformers' chats
   * @throws TemplateException when the template refuses the conversation ({@code raise_exception}) or fails
   */
  public String render(List<? extends Map<String, ?>> messages, Options o) {
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("Cannot apply chat template to an empty conversation. Provide at least one message.");
    }
    if (o.addGenerationPrompt() && o.continueFinalMessage()) {
      throw new IllegalArgumentException("continue_final_message and add_generation_prompt are not compatible");
    }
    String name = chooseName(o.tools() != null);
    List<Map<String, Object>> chat = new ArrayList<>();
    for (Map<String, ?> m : messages) {
      chat.add(new LinkedHashMap<>(m));
    }
    String finalMessage = null;
    if (o.continueFinalMessage()) {
      Object content = chat.get(chat.size() - 1).get("content");
      if (!(content instanceof String s)) {
        throw new IllegalArgumentException("continue_final_message is set but the final message has no string \"content\" to continue!");
      }
      finalMessage = s;
      chat.get(chat.size() - 1).put("content", s + CONTINUE_TAG);
    }
    Map<String, Object> vars = new LinkedHashMap<>(specialTokens);
    vars.putAll(o.variables());
    vars.put("messages", chat);
    vars.put("tools", o.tools());
    vars.put("documents", o.documents());
    vars.put("add_generation_prompt", o.addGenerationPrompt());
    String rendered = compiled.get(name).render(vars, clock);
    if (finalMessage != null) {
      // transformers' continue_final_message: cut the chat after the final message's text, before the template's
      // end-of-turn tokens (and before trailing spaces the template trimmed)
      String tag = CONTINUE_TAG.strip();
      if (!rendered.contains(finalMessage.strip()) || !rendered.contains(tag)) {
        throw new IllegalArgumentException("continue_final_message is set but the final message does not appear in the chat after applying the chat template");
      }
      int at = rendered.lastIndexOf(tag);
      rendered = rendered.startsWith(CONTINUE_TAG, at) ? rendered.substring(0, at) : PyStrings.rstrip(rendered.substring(0, at));
    }
    return rendered;
  }
}

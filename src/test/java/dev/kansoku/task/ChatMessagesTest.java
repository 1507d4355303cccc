package dev.kansoku.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.text.chat.ChatTemplate;
import dev.kansoku.text.jinja.TemplateException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chat form's own rules, beside the harness comparison (HarnessChatPromptsTest): the folded single-turn form,
 * {@code maybe_delimit}, HFLM.apply_chat_template's retry without the system message when a template refuses it, and
 * the BOS rule ({@code has_bos_prefix}).
 */
class ChatMessagesTest {
  private static final String NO_SYSTEM = "{{ bos_token }}{% for m in messages %}{% if m.role == 'system' %}"
      + "{{ raise_exception('System role not supported') }}{% endif %}<{{ m.role }}>{{ m.content }}{% endfor %}"
      + "{% if add_generation_prompt %}<assistant>{% endif %}";

  @Test
  void singleTurnFoldsTheShotsWithTheirDelimiters() {
    String json = new ChatMessages("Be exact.", "About math.", "\n\n").shot("1+1=", "2", " ", "\n\n").shot("2+2=", "4", " ", "\n\n")
        .question("3+3=", false);
    assertEquals("[{\"role\":\"system\",\"content\":\"Be exact.\\n\\nAbout math.\"},"
        + "{\"role\":\"user\",\"content\":\"1+1= 2\\n\\n2+2= 4\\n\\n3+3=\"}]", json);
    String multi = new ChatMessages(null, "", "\n\n").shot("1+1=", "2", " ", "\n\n").question("3+3=", true);
    assertEquals("[{\"role\":\"user\",\"content\":\"1+1=\"},{\"role\":\"assistant\",\"content\":\"2\"},"
        + "{\"role\":\"user\",\"content\":\"3+3=\"}]", multi);
    assertEquals("a b", ChatMessages.maybeDelimit("a ", "b", "\n"), "no delimiter where the join has whitespace");
    assertEquals("a\nb", ChatMessages.maybeDelimit("a", "b", "\n"));
  }

  @Test
  void aTemplateThatRefusesTheSystemRoleIsRenderedWithoutIt() {
    ChatTemplate t = ChatTemplate.of(NO_SYSTEM, Map.of("bos_token", "<s>"));
    String json = new ChatMessages(null, "Task description.", "\n\n").question("Q?", true);
    ChatMessages.Rendered r = ChatMessages.render(json, t);
    assertEquals("<s><user>Q?<assistant>", r.context());
    assertTrue(r.systemDropped());
    assertTrue(r.startsWithBos(), "the template wrote the BOS token");
    ChatMessages.Rendered plain = ChatMessages.render(new ChatMessages(null, "", "\n\n").question("Q?", true),
        ChatTemplate.of("{% for m in messages %}{{ m.content }}{% endfor %}", Map.of("bos_token", "<s>")));
    assertFalse(plain.startsWithBos());
    assertFalse(plain.systemDropped());
    // a type error is the template's bug, not a refusal: not retried
    ChatTemplate broken = ChatTemplate.of("{{ messages[0].content + 1 }}", Map.of());
    assertThrows(TemplateException.class, () -> ChatMessages.render(json, broken));
  }
}

package dev.kansoku.text.chat;

import java.nio.file.Path;

/** A chat template that cannot be read or parsed: the file, the key, what is wrong. */
public final class ChatTemplateException extends RuntimeException {
  public ChatTemplateException(Path file, String key, String problem) {
    super(file + ": " + key + ": " + problem);
  }
}

package dev.kansoku.task.check;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The short fingerprint of a request's text that the reference goldens hold: SHA-256 of the request kind,
 * context and continuation joined by U+0001 (a generation's missing continuation is U+0002), first 16 hex
 * digits. {@code src/test/python/framework_prompts/common.py} computes the same, so one differing character
 * anywhere in a prompt gives another digest.
 */
public final class PromptDigest {
  private PromptDigest() {
  }

  public static String of(String kind, String context, String continuation) {
    String text = kind + '\u0001' + context + '\u0001' + (continuation == null ? "\u0002" : continuation);
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}

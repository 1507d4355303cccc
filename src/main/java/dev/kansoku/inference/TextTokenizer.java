package dev.kansoku.inference;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} loaded through DJL's tokenizers binding, with truncation and padding
 * off: the engine decides both. Whether special tokens are added is a per-request choice because the
 * reference frameworks differ (lm-evaluation-harness encodes without them, a transformers pipeline with).
 */
public final class TextTokenizer implements TokenEncoder, AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;

  private TextTokenizer(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  public static TextTokenizer load(Path modelDir) throws IOException {
    Path file = modelDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(file, "tokenizer.json", "file not found");
    }
    try {
      return new TextTokenizer(HuggingFaceTokenizer.newInstance(file, Map.of(
          "addSpecialTokens", "false", "truncation", "false", "padding", "false",
          "modelMaxLength", String.valueOf(Integer.MAX_VALUE))));
    } catch (RuntimeException e) {
      throw new ModelFormatException(file, "tokenizer.json", "cannot be loaded: " + e.getMessage());
    }
  }

  /**
   * How many token ids {@code tokenizer.json} can produce: its model's vocabulary (an id map, or Unigram's list) and
   * its added tokens, as the highest id + 1. Read from the JSON: DJL's binding does not expose it.
   */
  public static long idCount(Path tokenizerJson) throws IOException {
    com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tokenizerJson.toFile());
    long highest = -1;
    com.fasterxml.jackson.databind.JsonNode vocab = root.path("model").path("vocab");
    if (vocab.isArray()) {
      highest = vocab.size() - 1;
    } else {
      for (com.fasterxml.jackson.databind.JsonNode id : vocab) {
        highest = Math.max(highest, id.asLong());
      }
    }
    for (com.fasterxml.jackson.databind.JsonNode added : root.path("added_tokens")) {
      highest = Math.max(highest, added.path("id").asLong(-1));
    }
    return highest + 1;
  }

  @Override
  public long[] encode(String text, boolean addSpecialTokens) {
    if (text.isEmpty()) {
      return new long[0];
    }
    return tokenizer.encode(text, addSpecialTokens, false).getIds();
  }

  /** The token pieces of a text without special tokens, as transformers' {@code tokenizer.tokenize(text)}. */
  public java.util.List<String> pieces(String text) {
    return text.isEmpty() ? java.util.List.of() : java.util.List.of(tokenizer.encode(text, false, false).getTokens());
  }

  /** Decodes ids to text, dropping special tokens as transformers' {@code skip_special_tokens=True}. */
  public String decode(long[] ids) {
    return tokenizer.decode(ids, true);
  }

  /** Each id's token string, for --verbose output. */
  public String[] tokens(long[] ids) {
    String[] out = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = tokenizer.decode(new long[] {ids[i]}, false);
    }
    return out;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}

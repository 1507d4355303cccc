package dev.kansoku.inference;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
    // streamed, not read as a tree: the file is megabytes (merges included) and only ids are wanted
    long highest = -1;
    try (JsonParser p = new JsonFactory().createParser(tokenizerJson.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new JsonParseException(p, "tokenizer.json is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("model") && p.currentToken() == JsonToken.START_OBJECT) {
          highest = Math.max(highest, highestVocabularyId(p));
        } else if (field.equals("added_tokens") && p.currentToken() == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String key = p.currentName();
              p.nextToken();
              if (key.equals("id") && p.currentToken().isNumeric()) {
                highest = Math.max(highest, p.getLongValue());
              } else {
                p.skipChildren();
              }
            }
          }
        } else {
          p.skipChildren();
        }
      }
    }
    return highest + 1;
  }

  /** Inside {@code "model": {…}}: an id map's highest id, or a Unigram list's last index; the parser left after the object. */
  private static long highestVocabularyId(JsonParser p) throws IOException {
    long highest = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken value = p.nextToken();
      if (key.equals("vocab") && value == JsonToken.START_ARRAY) {
        long entries = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          p.skipChildren();
          entries++;
        }
        highest = entries - 1;
      } else if (key.equals("vocab") && value == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          if (p.nextToken().isNumeric()) {
            highest = Math.max(highest, p.getLongValue());
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
    return highest;
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

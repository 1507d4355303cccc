package dev.kansoku.inference;

/** Text to token ids: the model's tokenizer.json here, or a server's {@code /tokenize} for a served model without one. */
public interface TokenEncoder {
  long[] encode(String text, boolean addSpecialTokens);
}

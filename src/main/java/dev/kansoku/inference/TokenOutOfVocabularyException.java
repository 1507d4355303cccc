package dev.kansoku.inference;

/**
 * A token id the model's embedding does not have: the tokenizer.json belongs to another model. A user error (one line
 * in the CLI); in a run it becomes the request's error row, as any request-level failure does.
 */
public class TokenOutOfVocabularyException extends IllegalArgumentException {
  public TokenOutOfVocabularyException(long id, int vocab) {
    super("token id " + id + " is outside the model's embedding (vocab_size " + vocab
        + " in config.json): the tokenizer.json does not belong to this model");
  }
}

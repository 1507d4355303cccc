package dev.kansoku.inference;

import dev.kansoku.text.PyStrings;
import java.util.Arrays;

/**
 * lm-evaluation-harness' token rules for a log-likelihood pair ({@code TemplateLM._encode_pair}): trailing whitespace of
 * the context moves to the continuation, the context is encoded on its own, and the continuation is what the whole
 * text's encoding has beyond the context's length. Where a tokenizer merges across the boundary (byte-level BPE's
 * {@code "):\n"}), the model still sees the context's own encoding, as in the harness. Checked against the harness'
 * rule run with the tokenizers library on real tokenizers (RealTokenizerPairsTest).
 */
public final class HarnessPairEncoding {
  private HarnessPairEncoding() {}

  /** {context ids, continuation ids} of a non-empty context. */
  public static long[][] encode(TokenEncoder tokenizer, String context, String continuation, boolean addSpecialTokens) {
    int trimmed = PyStrings.rstripEnd(context);
    if (trimmed < context.length()) {
      continuation = context.substring(trimmed) + continuation;
      context = context.substring(0, trimmed);
    }
    long[] whole = tokenizer.encode(context + continuation, addSpecialTokens);
    long[] ctx = tokenizer.encode(context, addSpecialTokens);
    return new long[][] {ctx, Arrays.copyOfRange(whole, Math.min(ctx.length, whole.length), whole.length)};
  }
}

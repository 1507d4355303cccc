"""lm-evaluation-harness's token rule for a log-likelihood pair, shared by the reference scripts."""


def encode_pair(tok, context, continuation, add_special):
    """lm-evaluation-harness (v0.4.2) TemplateLM._encode_pair with HFLM.tok_encode, on a tokenizers.Tokenizer: trailing
    whitespace of the context moves to the continuation, the context is encoded on its own, and the continuation is
    what the whole text's encoding has beyond it."""
    n_spaces = len(context) - len(context.rstrip())
    if n_spaces > 0:
        continuation = context[-n_spaces:] + continuation
        context = context[:-n_spaces]
    whole = tok.encode(context + continuation, add_special_tokens=add_special).ids
    ctx = tok.encode(context, add_special_tokens=add_special).ids
    return ctx, whole[len(ctx):]

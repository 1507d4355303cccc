package dev.kansoku.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.HarnessPairEncoding;
import dev.kansoku.inference.LanguageModel;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.LoglikelihoodResult;
import dev.kansoku.inference.TextTokenizer;
import dev.kansoku.inference.TokenEncoder;
import dev.kansoku.inference.TokenIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A model behind an OpenAI-compatible {@code /v1/completions}, as lm-evaluation-harness's {@code local-completions}
 * (v0.4.4+) talks to it: tokens encoded here with the model's tokenizer by the harness's pair rules (no BOS unless the
 * task asks for special tokens), the prompt sent as token ids, and
 * <ul>
 *   <li>log-likelihood: {@code max_tokens 1, logprobs 1, echo, temperature 0}; the continuation's entries of
 *       {@code token_logprobs} summed in order, is_greedy where each equals the top entry; a response that does not
 *       carry one entry per prompt token plus the generated one (a server that dropped the echo) is an error, never a
 *       score;</li>
 *   <li>generation: the server applies {@code stop} and its end-of-sequence token and returns the text.</li>
 * </ul>
 * Up to {@code max-concurrency} calls run at once.
 */
final class OpenAiCompletionsModel implements LanguageModel {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpCaller http;
  private final RemoteOptions options;
  private final TokenEncoder tokenizer;
  /** The local tokenizer when there is one (token pieces for the responses table); null with the server's. */
  private final TextTokenizer local;
  private final int maxLength;
  /** The end-of-text id a context-free continuation is scored after (config.json's eos); null when unknown. */
  private final Long endOfText;
  private final ExecutorService calls;

  OpenAiCompletionsModel(HttpCaller http, RemoteOptions options, TokenEncoder tokenizer, TextTokenizer local, int maxLength,
                         Long endOfText) {
    this.http = http;
    this.options = options;
    this.tokenizer = tokenizer;
    this.local = local;
    this.maxLength = maxLength;
    this.endOfText = endOfText;
    this.calls = Executors.newFixedThreadPool(Math.max(1, options.maxConcurrency()), r -> {
      Thread t = new Thread(r, "kansoku-remote");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public List<LoglikelihoodResult> loglikelihood(List<LoglikelihoodRequest> requests, CallOptions callOptions) {
    if (options.profile().equals("tgi")) {
      throw new RemoteCallException("log-likelihood through TGI is not supported: its OpenAI routes return no prompt "
          + "log-probabilities, and its /generate takes text only (TGI adds its own BOS) with no top tokens for the prompt, so "
          + "neither the harness' token ids nor is_greedy can be honoured; serve the model with vLLM, SGLang or kansoku serve");
    }
    if (!options.profile().equals("vllm")) {
      throw new RemoteCallException("log-likelihood needs the prompt's log-probabilities (echo), which a '" + options.profile()
          + "' server does not return (llama.cpp: ggml-org/llama.cpp#27174); serve the model with vLLM, SGLang or kansoku serve");
    }
    return all(requests, this::score);
  }

  @Override
  public List<GenerationResult> generate(List<GenerationRequest> requests, CallOptions callOptions) {
    return all(requests, this::complete);
  }

  @Override
  public Optional<TextTokenizer> tokenPieces() {
    return Optional.ofNullable(local);
  }

  private LoglikelihoodResult score(LoglikelihoodRequest r) {
    if (r.context().isEmpty() && endOfText == null) {
      throw new RemoteCallException("a continuation without context is scored after the end-of-text token, whose id is "
          + "unknown: put the model's config.json beside its tokenizer.json");
    }
    long[][] pair = r.context().isEmpty() ? new long[][] {{endOfText}, tokenizer.encode(r.continuation(), r.addSpecialTokens())}
        : HarnessPairEncoding.encode(tokenizer, r.context(), r.continuation(), r.addSpecialTokens());
    if (pair[1].length == 0) {
      throw new IllegalArgumentException("the continuation encodes to no tokens");
    }
    long[] whole = TokenIds.concat(pair[0], pair[1]);
    // the harness: (context + continuation)[-(max_length + 1):], the context's part shortened by what was cut
    int cut = Math.max(0, whole.length - (maxLength + 1));
    long[] prompt = Arrays.copyOfRange(whole, cut, whole.length);
    int ctxlen = pair[0].length - cut;
    ObjectNode body = JSON.createObjectNode().put("model", options.servedName()).put("max_tokens", 1).put("logprobs", 1)
        .put("echo", true).put("temperature", 0).put("seed", 1234);
    ArrayNode ids = body.putArray("prompt").addArray();
    for (long id : prompt) {
      ids.add(id);
    }
    JsonNode lp = http.post("completions", body).path("choices").path(0).path("logprobs");
    JsonNode values = lp.path("token_logprobs");
    JsonNode tops = lp.path("top_logprobs");
    if (!values.isArray() || values.size() != prompt.length + 1) {
      throw new RemoteCallException("the server returned " + (values.isArray() ? values.size() : 0) + " log-probabilities for a prompt of "
          + prompt.length + " tokens and one generated (expected " + (prompt.length + 1) + ": does it echo the prompt's?)");
    }
    double sum = 0;
    boolean greedy = true;
    for (int p = Math.max(ctxlen, 1); p < prompt.length; p++) {
      JsonNode v = values.get(p);
      if (v == null || !v.isNumber()) {
        throw new RemoteCallException("the server returned no log-probability for prompt token " + p);
      }
      sum += v.asDouble();
      double best = Double.NEGATIVE_INFINITY;
      for (JsonNode t : tops.path(p)) {
        best = Math.max(best, t.asDouble());
      }
      greedy &= v.asDouble() == best;
    }
    return new LoglikelihoodResult(sum, greedy, pair[0], pair[1], cut > 0);
  }

  private GenerationResult complete(GenerationRequest r) {
    long[] ids = r.promptIds() != null ? r.promptIds() : tokenizer.encode(r.prompt(), r.addSpecialTokens());
    // room for the new tokens: the prompt is cut from the left, as the harness and the local engine do
    int keep = Math.max(1, maxLength - r.maxNewTokens());
    long[] prompt = ids.length > keep ? Arrays.copyOfRange(ids, ids.length - keep, ids.length) : ids;
    ObjectNode body = JSON.createObjectNode().put("model", options.servedName()).put("max_tokens", r.maxNewTokens())
        .put("temperature", r.temperature()).put("top_p", r.topP()).put("seed", r.seed());
    if (options.profile().equals("tgi")) {
      // TGI's /v1/completions takes text, which its own tokenizer encodes (with its BOS): the prompt as planned, or
      // the text of the ids kept after a left cut
      if (local == null) {
        throw new RemoteCallException("profile 'tgi' sends text prompts: it needs the model's tokenizer.json (tokenizer = local)");
      }
      body.put("prompt", r.prompt() != null && prompt.length == ids.length ? r.prompt() : local.decode(prompt));
    } else {
      ArrayNode p = body.putArray("prompt");
      for (long id : prompt) {
        p.add(id);
      }
    }
    ArrayNode stop = body.putArray("stop");
    r.stopSequences().forEach(stop::add);
    JsonNode choice = http.post("completions", body).path("choices").path(0);
    if (!choice.path("text").isTextual()) {
      throw new RemoteCallException("the server's completion has no text");
    }
    String text = choice.get("text").asText();
    String finish = "length".equals(choice.path("finish_reason").asText()) ? "length" : "stop";
    // token ids of the text as this tokenizer reads it (the API returns text; counts are what the responses table keeps)
    return new GenerationResult(text, prompt, tokenizer.encode(text, false), finish, prompt.length < ids.length);
  }

  private <Q, A> List<A> all(List<Q> requests, java.util.function.Function<Q, A> one) {
    List<Future<A>> futures = new ArrayList<>();
    for (Q q : requests) {
      futures.add(calls.submit(() -> one.apply(q)));
    }
    List<A> out = new ArrayList<>();
    try {
      for (Future<A> f : futures) {
        out.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteCallException("interrupted");
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      throw e.getCause() instanceof RuntimeException re ? re : new RemoteCallException(String.valueOf(e.getCause()));
    }
    return out;
  }

  @Override
  public void close() {
    calls.shutdownNow();
    if (local != null) {
      local.close();
    }
  }
}

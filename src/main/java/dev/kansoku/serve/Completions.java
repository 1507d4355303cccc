package dev.kansoku.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.GenerationResult;
import dev.kansoku.inference.PromptScores;
import dev.kansoku.inference.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Computes {@code /v1/completions} answers on the engine, in the canonical pass shapes of the configured run, so a
 * served score is the offline one:
 * <ul>
 *   <li>{@code echo} with {@code logprobs}: the prompt's entries ({@code token_logprobs[0]} null) come from
 *       {@link DjlEngine#scorePrompts}, the path of a log-likelihood request without prefix reuse; with
 *       {@code max_tokens = 1} (lm-evaluation-harness 0.4.4+) the greedy next token and its log-probability follow,
 *       from a separate pass, so the prompt's own entries keep the offline shapes; with {@code max_tokens = 0}
 *       (0.4.3 and before) the entries are the prompt's alone;</li>
 *   <li>otherwise generation until {@code stop}, end of sequence or {@code max_tokens}, the engine's generation with
 *       the request's temperature, top-p and seed; with {@code logprobs} (without echo) each generated token's
 *       log-probability under the model's distribution and that many alternatives. A chat request is answered the
 *       same way in the {@code chat.completion} form.</li>
 * </ul>
 * {@code top_logprobs} holds the top token of each position (and the prompt's token when it is not the top), whatever
 * count {@code logprobs} asks for: the harness reads the top entry only.
 */
final class Completions {
  private final DjlEngine engine;
  private final BatchShapes shapes;
  private final ObjectMapper json = new ObjectMapper();

  Completions(DjlEngine engine, BatchShapes shapes) {
    this.engine = engine;
    this.shapes = shapes;
  }

  /**
   * A checked request with its prompts' token ids, ready to be computed with others; {@code chat}: answered in
   * {@code chat.completion} form (one prompt, generation only).
   */
  record Planned(CompletionRequest request, String id, List<long[]> prompts, boolean scoring, boolean chat) {}

  /** Encodes and checks a request (an {@link ApiError} for one the model cannot take). */
  Planned plan(CompletionRequest r, String id) {
    TextTokenizer tok = engine.tokenizer();
    List<long[]> prompts = new ArrayList<>();
    for (int i = 0; i < r.ids().size(); i++) {
      long[] ids = r.ids().get(i) != null ? r.ids().get(i) : tok.encode(r.texts().get(i), r.addSpecialTokens());
      if (ids.length + r.maxTokens() > engine.maxLength()) {
        throw ApiError.invalid("prompt", "prompt " + i + " has " + ids.length + " tokens; with max_tokens " + r.maxTokens()
            + " it exceeds the model's context of " + engine.maxLength() + " tokens");
      }
      prompts.add(ids);
    }
    boolean scoring = r.echo() && r.logprobs() != null && r.maxTokens() <= 1;
    if (r.logprobs() != null && r.echo() && !scoring) {
      // prompt and generated entries together are not computed: refused rather than answered without either
      throw ApiError.invalid("logprobs", "with echo, log-probabilities are returned for max_tokens 0 or 1 (the harness' scoring "
          + "requests); without echo, for the generated tokens");
    }
    if (r.logprobs() != null && r.logprobs() > MAX_LOGPROBS) {
      throw ApiError.invalid("logprobs", "at most " + MAX_LOGPROBS + " top log-probabilities");
    }
    return new Planned(r, id, prompts, scoring, false);
  }

  /** The most alternatives a token's entry lists (vLLM's default max_logprobs). */
  static final int MAX_LOGPROBS = 20;

  /** A chat request's rendered prompt, planned as a completion answered in chat form. */
  Planned planChat(CompletionRequest r, String id) {
    Planned p = plan(r, id);
    return new Planned(p.request(), p.id(), p.prompts(), false, true);
  }

  /**
   * Answers several requests with one engine call per kind of work (prompt scores, next tokens, generations): under
   * canonical shapes a request's numbers do not depend on the others computed with it, so batching what arrived
   * together changes throughput, not bits.
   */
  List<ObjectNode> answerAll(List<Planned> planned, String servedName) {
    List<long[]> scoring = new ArrayList<>();
    List<long[]> slots = new ArrayList<>();
    List<GenerationRequest> generating = new ArrayList<>();
    for (Planned p : planned) {
      if (p.scoring()) {
        scoring.addAll(nonTrivial(p.prompts()));
        if (p.request().maxTokens() == 1) {
          slots.addAll(withSlot(p.prompts()));
        }
      } else {
        generating.addAll(generationRequests(p.request(), p.prompts()));
      }
    }
    List<PromptScores> scores = scoring.isEmpty() ? List.of() : engine.scorePrompts(scoring, shapes);
    List<PromptScores> next = slots.isEmpty() ? List.of() : engine.scorePrompts(slots, shapes);
    List<GenerationResult> generated = generating.isEmpty() ? List.of() : engine.generate(generating, shapes);
    int[] at = new int[3];
    List<ObjectNode> out = new ArrayList<>();
    for (Planned p : planned) {
      out.add(render(p, servedName, scores, next, generated, at));
    }
    return out;
  }

  /** One request's answer from the batch's results, {@code at} the offsets into them (advanced past this request's). */
  private ObjectNode render(Planned planned, String servedName, List<PromptScores> scores, List<PromptScores> next,
                            List<GenerationResult> generated, int[] at) {
    TextTokenizer tok = engine.tokenizer();
    CompletionRequest r = planned.request();
    List<long[]> prompts = planned.prompts();
    ObjectNode out = json.createObjectNode();
    out.put("id", planned.id()).put("object", planned.chat() ? "chat.completion" : "text_completion")
        .put("created", System.currentTimeMillis() / 1000).put("model", servedName);
    ArrayNode choices = out.putArray("choices");
    long promptTokens = 0;
    long completionTokens = 0;
    boolean scoring = planned.scoring();
    for (int i = 0; i < prompts.size(); i++) {
      long[] ids = prompts.get(i);
      promptTokens += ids.length;
      ObjectNode choice = choices.addObject();
      choice.put("index", i);
      if (scoring) {
        PromptScores s = ids.length >= 2 ? scores.get(at[0]++) : null;
        LogprobsBuilder lp = new LogprobsBuilder(choice.putObject("logprobs"));
        String[] pieces = tok.tokens(ids);
        String[] tops = s == null ? new String[0] : tok.tokens(s.argmax());
        StringBuilder text = new StringBuilder();
        for (int p = 0; p < ids.length; p++) {
          if (p == 0) {
            lp.first(pieces[0]);
          } else {
            lp.add(ids[p], pieces[p], text.length(), s.logProbs()[p - 1], s.argmax()[p - 1], tops[p - 1], s.maxLogProbs()[p - 1]);
          }
          text.append(pieces[p]);
        }
        if (r.maxTokens() == 1) {
          PromptScores n = next.get(at[1]++);
          int last = n.length() - 1;
          long token = n.argmax()[last];
          String piece = tok.tokens(new long[] {token})[0];
          lp.add(token, piece, text.length(), n.maxLogProbs()[last], token, piece, n.maxLogProbs()[last]);
          choice.put("text", tok.decode(ids) + piece);
          completionTokens++;
        } else {
          choice.put("text", tok.decode(ids));
        }
        choice.put("finish_reason", "length");
      } else {
        GenerationResult g = generated.get(at[2]++);
        completionTokens += g.generatedIds().length;
        if (planned.chat()) {
          choice.putObject("message").put("role", "assistant").put("content", g.text());
          if (g.logprobs() != null) {
            chatLogprobs(choice.putObject("logprobs").putArray("content"), g, r.logprobs());
          } else {
            choice.putNull("logprobs");
          }
        } else {
          choice.put("text", (r.echo() ? tok.decode(ids) : "") + g.text());
          if (g.logprobs() != null) {
            completionLogprobs(choice.putObject("logprobs"), g, r.logprobs());
          } else {
            choice.putNull("logprobs");
          }
        }
        // the engine's "eos" and "stop" are both OpenAI's "stop"
        choice.put("finish_reason", "length".equals(g.finishReason()) ? "length" : "stop");
      }
    }
    out.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
    return out;
  }

  /** The prompts of two or more tokens (a one-token prompt has no scored position). */
  private static List<long[]> nonTrivial(List<long[]> prompts) {
    return prompts.stream().filter(p -> p.length >= 2).toList();
  }

  /** Each prompt and one more slot: the last position's distribution is the next token's. */
  private static List<long[]> withSlot(List<long[]> prompts) {
    return prompts.stream().map(p -> Arrays.copyOf(p, p.length + 1)).toList();
  }

  private static List<GenerationRequest> generationRequests(CompletionRequest r, List<long[]> prompts) {
    List<GenerationRequest> reqs = new ArrayList<>();
    for (long[] ids : prompts) {
      // top-k off (OpenAI's API has none); the seed makes a sampled completion repeatable, as the engine's are
      reqs.add(new GenerationRequest(null, r.stop(), r.maxTokens(), false, r.temperature(), r.topP(), 0, r.seed(), ids,
          r.logprobs() == null ? -1 : r.logprobs()));
    }
    return reqs;
  }

  /**
   * Generated tokens' entries in the completions form: each token's piece and log-probability, the {@code n} most
   * likely alternatives (and the chosen token when it is not among them), offsets into the completion's text. Tokens
   * after a stop string are listed too (the text is cut, the tokens were generated).
   */
  private void completionLogprobs(ObjectNode into, GenerationResult g, int n) {
    TextTokenizer tok = engine.tokenizer();
    ArrayNode tokens = into.putArray("tokens");
    ArrayNode values = into.putArray("token_logprobs");
    ArrayNode top = into.putArray("top_logprobs");
    ArrayNode offsets = into.putArray("text_offset");
    String[] pieces = tok.tokens(g.generatedIds());
    int offset = 0;
    for (int i = 0; i < pieces.length; i++) {
      tokens.add(pieces[i]);
      values.add((double) g.logprobs().chosen()[i]);
      offsets.add(offset);
      offset += inContext(g.generatedIds(), i, before(g.generatedIds(), i), g.generatedIds()[i]).length();
      ObjectNode t = top.addObject();
      String[] alternatives = tok.tokens(g.logprobs().top()[i]);
      for (int k = 0; k < Math.min(n, alternatives.length); k++) {
        if (!t.has(alternatives[k])) {
          t.put(alternatives[k], (double) g.logprobs().topLogprobs()[i][k]);
        }
      }
      if (!t.has(pieces[i])) {
        t.put(pieces[i], (double) g.logprobs().chosen()[i]);
      }
    }
  }

  /** Generated tokens' entries in the chat form: token text, log-probability, UTF-8 bytes, the top alternatives. */
  private void chatLogprobs(ArrayNode content, GenerationResult g, int n) {
    TextTokenizer tok = engine.tokenizer();
    for (int i = 0; i < g.generatedIds().length; i++) {
      ObjectNode e = content.addObject();
      String before = before(g.generatedIds(), i);
      entry(e, inContext(g.generatedIds(), i, before, g.generatedIds()[i]), g.logprobs().chosen()[i]);
      ArrayNode top = e.putArray("top_logprobs");
      for (int k = 0; k < Math.min(n, g.logprobs().top()[i].length); k++) {
        entry(top.addObject(), inContext(g.generatedIds(), i, before, g.logprobs().top()[i][k]), g.logprobs().topLogprobs()[i][k]);
      }
    }
  }

  /** The text of the first {@code at} generated tokens (decoded once per position, shared by its alternatives). */
  private String before(long[] generated, int at) {
    return engine.tokenizer().decode(Arrays.copyOf(generated, at));
  }

  /**
   * The text {@code token} adds after the first {@code at} generated tokens (incremental detokenization, as vLLM's):
   * a SentencePiece word's space is kept, except before the first token, which is decoded as the completion's text is.
   */
  private String inContext(long[] generated, int at, String before, long token) {
    TextTokenizer tok = engine.tokenizer();
    long[] with = Arrays.copyOf(generated, at + 1);
    with[at] = token;
    String after = tok.decode(with);
    return after.startsWith(before) ? after.substring(before.length()) : tok.decode(new long[] {token});
  }

  private static void entry(ObjectNode e, String token, float logprob) {
    e.put("token", token).put("logprob", (double) logprob);
    ArrayNode bytes = e.putArray("bytes");
    for (byte b : token.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      bytes.add(b & 0xff);
    }
  }

  /** OpenAI's completion logprobs: tokens, token_logprobs, top_logprobs, text_offset. */
  private static final class LogprobsBuilder {
    private final ArrayNode tokens;
    private final ArrayNode tokenLogprobs;
    private final ArrayNode top;
    private final ArrayNode offsets;

    LogprobsBuilder(ObjectNode into) {
      this.tokens = into.putArray("tokens");
      this.tokenLogprobs = into.putArray("token_logprobs");
      this.top = into.putArray("top_logprobs");
      this.offsets = into.putArray("text_offset");
    }

    /** The first position: no log-probability. */
    void first(String piece) {
      tokens.add(piece);
      offsets.add(0);
      tokenLogprobs.addNull();
      top.addNull();
    }

    /** One position: its token, its log-probability and the top token with its own. */
    void add(long token, String piece, int offset, float logprob, long argmax, String argmaxPiece, float maxLogprob) {
      tokens.add(piece);
      offsets.add(offset);
      // a float's exact value as a double: the client's sum in doubles equals the engine's, bit for bit
      tokenLogprobs.add((double) logprob);
      ObjectNode t = top.addObject();
      t.put(argmaxPiece, (double) maxLogprob);
      if (argmax != token) {
        t.put(piece, (double) logprob);
      }
    }
  }
}

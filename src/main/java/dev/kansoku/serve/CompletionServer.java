package dev.kansoku.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.TextTokenizer;
import dev.kansoku.text.chat.ChatTemplate;
import dev.kansoku.text.jinja.TemplateException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code kansoku serve}: an OpenAI-compatible HTTP server (the JDK's {@code HttpServer}) on one loaded model, as
 * lm-evaluation-harness's {@code local-completions} and the official {@code openai} client use vLLM's:
 * {@code POST /v1/completions}, {@code GET /v1/models}, and vLLM's {@code POST /tokenize}, {@code /detokenize} and
 * {@code GET /tokenizer_info}. Requests are checked on arrival (400 at once) and queued to one model worker, which
 * takes everything waiting into one engine call per kind of work, in the run's canonical shapes (so batching changes
 * throughput, not bits); a full queue answers 429 with Retry-After, shutting down 503. Loopback by default; with an
 * API key every request must carry it as a bearer token.
 */
public final class CompletionServer implements AutoCloseable {
  /** What the server runs with. */
  public record Settings(String host, int port, String servedModelName, String apiKey, int queueCapacity, BatchShapes shapes,
                         int httpThreads, ChatTemplate chatTemplate, ChatContentFormat chatContentFormat) {
    /** Without a chat template: /v1/chat/completions answers 400, as vLLM does for a model that has none. */
    public Settings(String host, int port, String servedModelName, String apiKey, int queueCapacity, BatchShapes shapes, int httpThreads) {
      this(host, port, servedModelName, apiKey, queueCapacity, shapes, httpThreads, null, ChatContentFormat.STRING);
    }
  }

  /**
   * How a chat message's content parts reach the template: their texts joined by newlines into a string (vLLM's
   * "string" format; templates written for string content print a list otherwise), or the list as sent ("openai").
   */
  public enum ChatContentFormat { STRING, OPENAI }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CompletionServer.class);
  private final HttpServer http;
  /** Most requests the worker computes in one engine call. */
  static final int MAX_BATCH = 32;
  private final ArrayBlockingQueue<Job> queue;
  private final Thread worker;
  private final ExecutorService httpThreads;
  private final DjlEngine engine;
  private final Settings settings;
  private final Completions completions;
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicLong ids = new AtomicLong();
  private volatile boolean closing;

  private CompletionServer(DjlEngine engine, Settings settings) throws IOException {
    this.engine = engine;
    this.settings = settings;
    this.completions = new Completions(engine, settings.shapes());
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    this.worker = new Thread(this::work, "kansoku-serve-model");
    this.httpThreads = Executors.newFixedThreadPool(settings.httpThreads(), r -> {
      Thread t = new Thread(r, "kansoku-serve-http");
      t.setDaemon(true);
      return t;
    });
    this.http = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
    http.setExecutor(httpThreads);
    http.createContext("/", this::handle);
  }

  /** Starts serving {@code engine}; the caller keeps owning the engine. */
  public static CompletionServer start(DjlEngine engine, Settings settings) throws IOException {
    CompletionServer s = new CompletionServer(engine, settings);
    s.worker.start();
    s.http.start();
    LOG.info("serving {} on http://{}:{}/v1", settings.servedModelName(), settings.host(), s.port());
    return s;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        if (settings.apiKey() != null && !("Bearer " + settings.apiKey()).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
          throw new ApiError(401, "authentication_error", null, "a valid bearer token is required");
        }
        if (closing) {
          throw new ApiError(503, "server_error", null, "the server is shutting down");
        }
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        ObjectNode answer = switch (path) {
          case "/v1/models" -> models(requireMethod(method, "GET"));
          case "/v1/completions" -> completion(body(ex, method));
          case "/v1/chat/completions" -> chat(body(ex, method));
          case "/tokenize" -> tokenize(body(ex, method));
          case "/detokenize" -> detokenize(body(ex, method));
          case "/tokenizer_info" -> tokenizerInfo(requireMethod(method, "GET"));
          default -> throw new ApiError(404, "invalid_request_error", null, "no route " + method + " " + path);
        };
        send(ex, 200, answer);
      } catch (ApiError e) {
        ObjectNode err = json.createObjectNode();
        ObjectNode body = err.putObject("error");
        body.put("message", e.getMessage()).put("type", e.type).put("param", e.param).put("code", e.status);
        if (e.status == 429 || e.status == 503) {
          ex.getResponseHeaders().set("Retry-After", "1");
        }
        send(ex, e.status, err);
      } catch (RuntimeException e) {
        LOG.warn("request failed", e);
        ObjectNode err = json.createObjectNode();
        err.putObject("error").put("message", e.getClass().getSimpleName() + ": " + e.getMessage()).put("type", "server_error")
            .putNull("param").put("code", 500);
        send(ex, 500, err);
      }
    }
  }

  private static String requireMethod(String method, String expected) {
    if (!method.equals(expected)) {
      throw new ApiError(405, "invalid_request_error", null, "use " + expected);
    }
    return method;
  }

  private JsonNode body(HttpExchange ex, String method) throws IOException {
    requireMethod(method, "POST");
    try (InputStream in = ex.getRequestBody()) {
      return json.readTree(in);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ApiError.invalid(null, "malformed JSON: " + e.getOriginalMessage());
    }
  }

  /** A checked request waiting for the model worker. */
  private record Job(Completions.Planned planned, CompletableFuture<ObjectNode> answer) {}

  /** The model worker: takes what is waiting (up to {@link #MAX_BATCH}) and computes it together, until closed and drained. */
  private void work() {
    while (true) {
      Job first;
      try {
        first = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (first == null) {
        if (closing) {
          return;
        }
        continue;
      }
      List<Job> batch = new ArrayList<>(List.of(first));
      queue.drainTo(batch, MAX_BATCH - 1);
      try {
        List<ObjectNode> answers = completions.answerAll(batch.stream().map(Job::planned).toList(), settings.servedModelName());
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).answer().complete(answers.get(i));
        }
      } catch (RuntimeException e) {
        // one request's failure (a token id beyond the vocabulary, say) must not fail the others: each alone
        for (Job j : batch) {
          try {
            j.answer().complete(completions.answerAll(List.of(j.planned()), settings.servedModelName()).get(0));
          } catch (RuntimeException x) {
            j.answer().completeExceptionally(x);
          }
        }
      }
    }
  }

  private ObjectNode completion(JsonNode body) {
    CompletionRequest r = CompletionRequest.parse(body);
    if (!r.model().equals(settings.servedModelName())) {
      throw new ApiError(404, "invalid_request_error", "model", "the model '" + r.model() + "' does not exist (this server has '"
          + settings.servedModelName() + "')");
    }
    return submit(completions.plan(r, "cmpl-" + ids.incrementAndGet()));
  }

  /** Queues a planned request for the model worker and waits for its answer (429 when the queue is full). */
  private ObjectNode submit(Completions.Planned planned) {
    Job job = new Job(planned, new CompletableFuture<>());
    if (closing) {
      throw new ApiError(503, "server_error", null, "the server is shutting down");
    }
    if (!queue.offer(job)) {
      throw new ApiError(429, "rate_limit_error", null, "the queue is full (" + settings.queueCapacity() + " requests); retry later");
    }
    try {
      return job.answer().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "server_error", null, "interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof dev.kansoku.inference.TokenOutOfVocabularyException t) {
        throw ApiError.invalid("prompt", t.getMessage());
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * {@code /v1/chat/completions}: the conversation rendered by the model's chat template (as transformers'
   * apply_chat_template renders it), tokenized without special tokens, then generated as a completion of those ids.
   */
  private ObjectNode chat(JsonNode body) {
    ChatRequest r = ChatRequest.parse(body, settings.chatContentFormat());
    if (!r.model().equals(settings.servedModelName())) {
      throw new ApiError(404, "invalid_request_error", "model", "the model '" + r.model() + "' does not exist (this server has '"
          + settings.servedModelName() + "')");
    }
    ChatTemplate template = settings.chatTemplate();
    if (template == null) {
      throw ApiError.invalid("messages", "the model has no chat template (tokenizer_config.json or chat_template.jinja); "
          + "serve it with --chat-template FILE");
    }
    String prompt;
    try {
      prompt = template.render(r.messages(), new ChatTemplate.Options(r.addGenerationPrompt(), r.continueFinalMessage(), r.tools(),
          r.documents(), r.templateVariables()));
    } catch (TemplateException | IllegalArgumentException e) {
      throw ApiError.invalid("messages", "the chat template refused the conversation: " + e.getMessage());
    }
    long[] promptIds = engine.tokenizer().encode(prompt, r.addSpecialTokens());
    int maxTokens = r.maxTokens() != null ? r.maxTokens() : engine.maxLength() - promptIds.length;
    if (maxTokens < 1) {
      throw ApiError.invalid("messages", "the rendered conversation has " + promptIds.length + " tokens, the model's context "
          + engine.maxLength());
    }
    List<String> noText = new ArrayList<>();
    noText.add(null);
    CompletionRequest completion = new CompletionRequest(r.model(), noText, List.of(promptIds), maxTokens, r.temperature(), r.topP(),
        r.stop(), r.seed(), false, r.topLogprobs(), false);
    return submit(completions.planChat(completion, "chatcmpl-" + ids.incrementAndGet()));
  }

  private ObjectNode models(String method) {
    ObjectNode out = json.createObjectNode();
    out.put("object", "list");
    out.putArray("data").addObject().put("id", settings.servedModelName()).put("object", "model").put("created", 0)
        .put("owned_by", "kansoku").put("max_model_len", engine.maxLength());
    return out;
  }

  /** vLLM's {@code /tokenize}: {@code {"prompt", "add_special_tokens"}} → {@code {"tokens", "count", "max_model_len"}}. */
  private ObjectNode tokenize(JsonNode body) {
    if (body == null || !body.path("prompt").isTextual()) {
      throw ApiError.invalid("prompt", "'prompt' (a string) is required");
    }
    long[] ids = engine.tokenizer().encode(body.get("prompt").asText(), body.path("add_special_tokens").asBoolean(true));
    ObjectNode out = json.createObjectNode();
    var tokens = out.putArray("tokens");
    for (long id : ids) {
      tokens.add(id);
    }
    return out.put("count", ids.length).put("max_model_len", engine.maxLength());
  }

  /** vLLM's {@code /detokenize}: {@code {"tokens"}} → {@code {"prompt"}}. */
  private ObjectNode detokenize(JsonNode body) {
    JsonNode tokens = body == null ? null : body.get("tokens");
    if (tokens == null || !tokens.isArray()) {
      throw ApiError.invalid("tokens", "'tokens' (a list of token ids) is required");
    }
    long[] ids = new long[tokens.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = tokens.get(i).asLong();
    }
    return json.createObjectNode().put("prompt", engine.tokenizer().decode(ids));
  }

  /** vLLM's {@code /tokenizer_info}: the end-of-sequence token and the context length. */
  private ObjectNode tokenizerInfo(String method) {
    TextTokenizer tok = engine.tokenizer();
    ObjectNode out = json.createObjectNode();
    var eos = engine.eosTokenIds();
    out.put("eos_token", eos.isEmpty() ? null : tok.tokens(new long[] {eos.get(0)})[0]);
    out.put("eos_token_id", eos.isEmpty() ? null : eos.get(0));
    return out.put("model_max_length", engine.maxLength());
  }

  private void send(HttpExchange ex, int status, ObjectNode body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Graceful shutdown: no new work (503), queued work finishes, then the listener stops. */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    try {
      worker.join(TimeUnit.MINUTES.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.stop(1);
    // a request that slipped in while the worker was leaving is answered, not left waiting
    for (Job j; (j = queue.poll()) != null; ) {
      j.answer().completeExceptionally(new ApiError(503, "server_error", null, "the server is shutting down"));
    }
    httpThreads.shutdownNow();
  }
}

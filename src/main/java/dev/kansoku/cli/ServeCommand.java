package dev.kansoku.cli;

import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.serve.CompletionServer;
import dev.kansoku.text.chat.ChatTemplate;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kansoku serve}: the model behind an OpenAI-compatible server until interrupted (Ctrl-C or SIGTERM shut it
 * down gracefully: queued requests finish). Scores equal {@code kansoku evaluate}'s without prefix reuse when
 * {@code --batch-size} and {@code --batch-tokens} equal the run's {@code inference.batch-size} and {@code batch-tokens}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve a model over an OpenAI-compatible API (/v1/completions, /v1/chat/completions, /v1/models, /tokenize, /detokenize, /tokenizer_info).")
class ServeCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}, loopback).")
  String host;

  @Option(names = "--port", defaultValue = "8000", description = "Port (0 = any free port; default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--served-model-name", description = "The model's name in requests (default: the directory's name).")
  String servedModelName;

  @Option(names = "--api-key-env", description = "Name of an environment variable holding the bearer token every request must carry.")
  String apiKeyEnv;

  @Option(names = "--queue", defaultValue = "64", description = "Requests waiting for the model before 429 (default: ${DEFAULT-VALUE}).")
  int queue;

  @Option(names = "--batch-size", defaultValue = "8", description = "inference.batch-size of the runs to agree with (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--batch-tokens", defaultValue = "8192", description = "inference.batch-tokens of the runs to agree with (default: ${DEFAULT-VALUE}).")
  int batchTokens;

  @Option(names = "--chat-template", description = "A Jinja chat template file for /v1/chat/completions (default: the model's own, "
      + "from chat_template.jinja or tokenizer_config.json).")
  Path chatTemplate;

  @Option(names = "--chat-content-format", defaultValue = "string", description = "How chat content parts reach the template: "
      + "'string' (texts joined by newlines, as vLLM's string format) or 'openai' (the list as sent; default: ${DEFAULT-VALUE}).")
  String chatContentFormat;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String apiKey = null;
    if (apiKeyEnv != null) {
      apiKey = System.getenv(apiKeyEnv);
      if (apiKey == null || apiKey.isEmpty()) {
        throw new dev.kansoku.config.ConfigError("kansoku serve", "--api-key-env", "environment variable " + apiKeyEnv + " is not set");
      }
    }
    String name = servedModelName != null ? servedModelName : model.model.toAbsolutePath().normalize().getFileName().toString();
    CompletionServer.ChatContentFormat format = switch (chatContentFormat) {
      case "string" -> CompletionServer.ChatContentFormat.STRING;
      case "openai" -> CompletionServer.ChatContentFormat.OPENAI;
      default -> throw new dev.kansoku.config.ConfigError("kansoku serve", "--chat-content-format", "must be 'string' or 'openai', not '" + chatContentFormat + "'");
    };
    if (chatTemplate != null && !Files.isRegularFile(chatTemplate)) {
      throw new dev.kansoku.config.ConfigError("kansoku serve", "--chat-template", "no such file: " + chatTemplate);
    }
    ChatTemplate template = chatTemplate != null ? ChatTemplate.fromFile(chatTemplate, model.model)
        : ChatTemplate.fromModelDirectory(model.model).orElse(null);
    CountDownLatch stopped = new CountDownLatch(1);
    try (DjlEngine engine = model.load();
         CompletionServer server = CompletionServer.start(engine, new CompletionServer.Settings(host, port, name, apiKey, queue,
             BatchShapes.canonical(batchSize, batchTokens), 16, template, format))) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }));
      out.printf("serving %s on http://%s:%d/v1 (%s; Ctrl-C stops)%n", name, host, server.port(),
          template == null ? "no chat template: /v1/chat/completions refused" : "chat template " + template.origin());
      out.flush();
      stopped.await();
    }
    return 0;
  }
}

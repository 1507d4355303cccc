package dev.kansoku.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.inference.Backend;
import dev.kansoku.inference.LanguageModel;
import dev.kansoku.inference.LayerSplit;
import dev.kansoku.inference.ModelConfig;
import dev.kansoku.inference.ModelFormatException;
import dev.kansoku.inference.TextTokenizer;
import dev.kansoku.inference.TokenEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code model.format = "openai-completions"}: a model behind an OpenAI-compatible server ({@link RemoteOptions} for
 * the {@code model.backend} section). {@code model.path} is a directory with the model's {@code tokenizer.json} (tokens
 * are counted and encoded here, as the harness does; with {@code tokenizer = "server"}, by the server's
 * {@code /tokenize}) and, optionally, its {@code config.json} (end-of-sequence id, request costs). The driver's preflight asks the server's {@code /v1/models} for the served name, so a wrong endpoint
 * or name stops the run before any work.
 */
public final class OpenAiCompletionsBackend implements Backend {
  public static final String FORMAT = "openai-completions";

  @Override
  public Set<String> formats() {
    return Set.of(FORMAT);
  }

  @Override
  public Optional<ModelConfig> preflight(ModelSpec spec, Path dir, boolean weights) throws IOException {
    RemoteOptions o = RemoteOptions.of(spec);
    Path file = source(spec);
    if (!o.serverTokenizer() && !Files.isRegularFile(dir.resolve("tokenizer.json"))) {
      throw new ModelFormatException(dir.resolve("tokenizer.json"), "tokenizer.json", "file not found (a served model's tokens are "
          + "encoded here, as lm-evaluation-harness does; or set model.backend.tokenizer = \"server\" to use the server's /tokenize)");
    }
    HttpCaller http = new HttpCaller(o.endpoint(), o.apiKey(file), Math.min(30, o.timeoutSeconds()), 0);
    if (o.serverTokenizer()) {
      try {
        new ServerTokenizer(new HttpCaller(o.root(), o.apiKey(file), Math.min(30, o.timeoutSeconds()), 0)).encode("a", false);
      } catch (RemoteCallException e) {
        throw new ModelFormatException(file, "model.backend.tokenizer", "the server's " + o.root() + "tokenize does not answer: " + e.getMessage());
      }
    }
    JsonNode models;
    try {
      models = http.get("models");
    } catch (RemoteCallException e) {
      throw new ModelFormatException(file, "model.backend.endpoint", "the server does not answer: " + e.getMessage());
    }
    boolean served = false;
    for (JsonNode m : models.path("data")) {
      served |= o.servedName().equals(m.path("id").asText());
    }
    if (!served) {
      throw new ModelFormatException(file, "model.backend.served-name", "'" + o.servedName() + "' is not among the server's models "
          + models.path("data").findValuesAsText("id"));
    }
    return Files.isRegularFile(dir.resolve("config.json")) ? Optional.of(ModelConfig.read(dir.resolve("config.json"))) : Optional.empty();
  }

  @Override
  public LanguageModel load(ModelSpec spec, Path dir, int maxLength, List<LayerSplit.DeviceBudget> devices) throws IOException {
    RemoteOptions o = RemoteOptions.of(spec);
    // the local engine's rule: the first eos id, 0 when config.json lists none; unknown without config.json
    Long endOfText = null;
    if (Files.isRegularFile(dir.resolve("config.json"))) {
      List<Integer> eos = ModelConfig.read(dir.resolve("config.json")).eosTokenIds();
      endOfText = eos.isEmpty() ? 0L : eos.get(0);
    }
    HttpCaller http = new HttpCaller(o.endpoint(), o.apiKey(source(spec)), o.timeoutSeconds(), o.retries());
    TextTokenizer local = o.serverTokenizer() ? null : TextTokenizer.load(dir);
    TokenEncoder encoder = local != null ? local
        : new ServerTokenizer(new HttpCaller(o.root(), o.apiKey(source(spec)), o.timeoutSeconds(), o.retries()));
    return new OpenAiCompletionsModel(http, o, encoder, local, Math.min(maxLength, spec.contextLength()), endOfText);
  }

  private static Path source(ModelSpec spec) {
    return spec.sourceFile() == null ? Path.of(spec.id()) : Path.of(spec.sourceFile());
  }
}

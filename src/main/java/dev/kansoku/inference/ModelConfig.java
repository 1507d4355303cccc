package dev.kansoku.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * What every architecture's {@code config.json} gives the engine: the model's shape, its rotary parameters, its
 * per-layer sliding windows and its end-of-sequence ids, in one form. What differs between families lives in
 * {@link #implementation()}, the {@link Architecture} that read the file (its own settings included). Anything
 * malformed is reported with the file and the key.
 *
 * @param architecture the config's {@code architectures[0]}
 * @param layerWindows the sliding window of each layer (0 = full attention)
 * @param feedForward what one token's feed-forward block multiplies (sizing and cost estimates)
 */
public record ModelConfig(
    Architecture implementation,
    String architecture,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    double normEps,
    RotaryParameters rope,
    boolean tieWordEmbeddings,
    int maxPositionEmbeddings,
    List<Integer> eosTokenIds,
    List<Integer> layerWindows,
    FeedForwardShape feedForward) {

  /**
   * The matrices one token's feed-forward block multiplies: {@code matrices} of width {@code intermediate_size} per
   * expert (three for a gated MLP, two for a dense one), and for a mixture the experts a token is routed to.
   */
  public record FeedForwardShape(int matrices, int experts, int expertsPerToken) {
    public static FeedForwardShape dense(int matrices) {
      return new FeedForwardShape(matrices, 0, 0);
    }

    public boolean isMixture() {
      return experts > 0;
    }
  }

  /** The smallest sliding window of any layer (0 when every layer attends to all earlier tokens). */
  public int slidingWindow() {
    return layerWindows.stream().mapToInt(Integer::intValue).filter(w -> w > 0).min().orElse(0);
  }

  /** The sliding window of layer {@code layer} (0 = full attention). */
  public int windowOf(int layer) {
    return layerWindows.get(layer);
  }

  /** Every tensor a checkpoint of this model stores, in checkpoint order. */
  public List<TensorSpec> tensors() {
    return TensorSpec.of(this);
  }

  /** The same model with other end-of-sequence ids. */
  ModelConfig withEos(List<Integer> eos) {
    return new ModelConfig(implementation, architecture, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
        headDim, normEps, rope, tieWordEmbeddings, maxPositionEmbeddings, List.copyOf(eos), layerWindows, feedForward);
  }

  public static ModelConfig read(Path configJson) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(configJson));
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(configJson, "config.json", "file not found");
    } catch (IOException e) {
      throw new ModelFormatException(configJson, "config.json", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(configJson, "config.json", "expected a JSON object");
    }
    ConfigFields f = new ConfigFields(configJson, root);
    String name = f.architecture();
    Architecture implementation = Architectures.find(name);
    if (implementation == null) {
      throw new ModelFormatException(configJson, "architectures", "unsupported architecture '" + name
          + "' (this engine implements " + String.join(", ", Architectures.names()) + ")");
    }
    f.declaredDtype();
    ModelConfig c = implementation.read(name, f);
    f.refuseUnread();
    return checked(configJson, withGenerationEos(configJson, c));
  }

  /**
   * transformers' {@code generate()} stops at {@code generation_config.json}'s eos ids (Llama 3.1 lists three), which
   * take the place of config.json's when the file is there.
   */
  private static ModelConfig withGenerationEos(Path configJson, ModelConfig c) throws IOException {
    Path generation = configJson.resolveSibling("generation_config.json");
    if (!Files.isRegularFile(generation)) {
      return c;
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(generation));
    } catch (IOException e) {
      throw new ModelFormatException(generation, "generation_config.json", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject() || !root.hasNonNull("eos_token_id")) {
      return c;
    }
    return c.withEos(new ConfigFields(generation, root).intList("eos_token_id"));
  }

  /** An eos id the embedding lacks would pad batches with an id that cannot be looked up: an error naming the key. */
  private static ModelConfig checked(Path file, ModelConfig c) {
    for (int id : c.eosTokenIds()) {
      if (id >= c.vocabSize()) {
        throw new ModelFormatException(file, "eos_token_id", id + " is outside the vocabulary (vocab_size " + c.vocabSize() + ")");
      }
    }
    return c;
  }
}

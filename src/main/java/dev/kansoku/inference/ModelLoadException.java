package dev.kansoku.inference;

/** A registered model that could not be loaded, naming the model id and the cause. */
public class ModelLoadException extends RuntimeException {
  public ModelLoadException(String modelId, Throwable cause) {
    super("model '" + modelId + "' failed to load: " + cause.getMessage(), cause);
  }
}

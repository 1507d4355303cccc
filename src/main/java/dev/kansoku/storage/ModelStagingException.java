package dev.kansoku.storage;

import dev.kansoku.config.ModelSpec;

/** A model on shared storage that cannot be staged: one line naming the model, its path and the problem. */
public final class ModelStagingException extends IllegalStateException {
  ModelStagingException(ModelSpec spec, String problem) {
    super((spec.sourceFile() == null ? "" : spec.sourceFile() + ": ") + "model.path " + spec.path() + ": " + problem);
  }
}

package dev.kansoku.inference;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.kansoku.config.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The local backends: a model directory (config.json, tokenizer.json and the network in the format's files) run in
 * this JVM by {@link DjlEngine}. Subclasses say how the network loads and which files it needs.
 */
public abstract class DjlBackend implements Backend {
  /** Loads the network of {@code dir} into {@code manager}'s device in {@code computeType}, split over {@code devices}. */
  abstract DecoderStack network(Path dir, NDManager manager, DataType computeType, List<LayerSplit.DeviceBudget> devices)
      throws IOException;

  /** Checks the format's files exist and resolve, reading headers only. */
  abstract void checkWeights(Path dir) throws IOException;

  /** The compute dtype of a registry {@code dtype} for this format (an error naming the key when it has none). */
  DataType computeType(Path dir, String dtype) {
    return DjlEngine.computeType(dir, dtype);
  }

  @Override
  public Optional<ModelConfig> preflight(ModelSpec spec, Path dir, boolean weights) throws IOException {
    if (spec.generatedWeights()) {
      RandomCheckpoint.ensureWeights(dir);
    }
    ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
    computeType(dir, spec.dtype());
    if (weights) {
      checkWeights(dir);
    }
    requireFile(dir.resolve("tokenizer.json"));
    return Optional.of(config);
  }

  @Override
  public LanguageModel load(ModelSpec spec, Path dir, int maxLength, List<LayerSplit.DeviceBudget> devices) throws IOException {
    if (spec.generatedWeights()) {
      RandomCheckpoint.ensureWeights(dir);
    }
    return engine(dir, spec.dtype(), Math.min(maxLength, spec.contextLength()), devices);
  }

  /** The engine on a directory, with its token-level API (the command line and checks use it). */
  public DjlEngine engine(Path dir, String dtype, int maxLength, List<LayerSplit.DeviceBudget> devices) throws IOException {
    DataType computeType = computeType(dir, dtype);
    return DjlEngine.load(dir, computeType, maxLength, devices, (d, manager) -> network(d, manager, computeType, devices));
  }

  static void requireFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(file, file.getFileName().toString(), "file not found");
    }
  }

  /** {@code hf-llama}: a Hugging Face checkpoint (config.json + safetensors) run by {@link DecoderModel}. */
  public static final class Checkpoint extends DjlBackend {
    @Override
    public java.util.Set<String> formats() {
      return java.util.Set.of(ModelSpec.FORMAT_HF_LLAMA);
    }

    @Override
    DecoderStack network(Path dir, NDManager manager, DataType computeType, List<LayerSplit.DeviceBudget> devices) throws IOException {
      return DecoderModel.load(dir, manager, computeType, devices);
    }

    @Override
    void checkWeights(Path dir) throws IOException {
      SafetensorsCheckpoint.open(dir);
    }
  }

  /**
   * {@code torchscript} (model.pt) and {@code onnx} (model.onnx): an export with past key/values, run by
   * {@link ExportedDecoder} in the dtype it was exported in (fp32 or fp16: its cache would be a bf16 tensor, which DJL
   * 0.36 cannot create). Exports are single graphs and load on the first device.
   */
  public static final class Export extends DjlBackend {
    @Override
    public java.util.Set<String> formats() {
      return java.util.Set.of(ModelSpec.FORMAT_TORCHSCRIPT, ModelSpec.FORMAT_ONNX);
    }

    private static ExportedDecoder.Format format(String name) {
      return name.equals(ModelSpec.FORMAT_ONNX) ? ExportedDecoder.Format.ONNX : ExportedDecoder.Format.TORCHSCRIPT;
    }

    @Override
    public LanguageModel load(ModelSpec spec, Path dir, int maxLength, List<LayerSplit.DeviceBudget> devices) throws IOException {
      return exportEngine(dir, format(spec.format()), spec.dtype(), Math.min(maxLength, spec.contextLength()), devices);
    }

    @Override
    public Optional<ModelConfig> preflight(ModelSpec spec, Path dir, boolean weights) throws IOException {
      Optional<ModelConfig> config = super.preflight(spec, dir, false);
      if (weights) {
        requireFile(dir.resolve(format(spec.format()).file()));
      }
      return config;
    }

    DjlEngine exportEngine(Path dir, ExportedDecoder.Format format, String dtype, int maxLength, List<LayerSplit.DeviceBudget> devices)
        throws IOException {
      DataType computeType = computeType(dir, dtype);
      return DjlEngine.load(dir, computeType, maxLength, devices, (d, manager) -> ExportedDecoder.load(d, format, manager, computeType));
    }

    @Override
    DataType computeType(Path dir, String dtype) {
      DataType t = DjlEngine.computeType(dir, dtype);
      if (t == DataType.BFLOAT16) {
        throw new ModelFormatException(dir, "dtype", "bf16 is available for hf-llama checkpoints only (an export's KV cache "
            + "would be a bf16 tensor, which DJL 0.36 cannot create); set dtype = \"fp32\" or \"fp16\"");
      }
      return t;
    }

    @Override
    DecoderStack network(Path dir, NDManager manager, DataType computeType, List<LayerSplit.DeviceBudget> devices) {
      throw new UnsupportedOperationException("an export's graph depends on its file: use exportEngine");
    }

    @Override
    void checkWeights(Path dir) {
      // by format, in preflight
    }
  }
}

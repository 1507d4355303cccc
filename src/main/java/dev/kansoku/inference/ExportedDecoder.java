package dev.kansoku.inference;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A causal LM exported with past key/values and loaded through DJL {@link Criteria}: TorchScript on the PyTorch
 * engine or ONNX on ONNX Runtime. The graph's inputs and outputs follow Hugging Face Optimum's
 * {@code text-generation-with-past} decoders: {@code input_ids}, {@code attention_mask}, {@code position_ids},
 * {@code past_key_values.<i>.key|value} (B, kv heads, past, head dim) → {@code logits},
 * {@code present.<i>.key|value}; a TorchScript module takes and returns them in that order as flat tuples.
 * {@code config.json} beside the graph gives the layer count and cache shapes.
 *
 * <p>The arithmetic around the graph (row selection, log-softmax, sampling) runs on PyTorch NDArrays: ONNX
 * Runtime's outputs are copied into the engine's manager once per call.
 */
public final class ExportedDecoder implements DecoderStack {
  /** An export format: its DJL engine and the file Criteria loads from the model directory. */
  public enum Format {
    TORCHSCRIPT("PyTorch", "model.pt"),
    ONNX("OnnxRuntime", "model.onnx");

    final String engine;
    final String file;

    Format(String engine, String file) {
      this.engine = engine;
      this.file = file;
    }

    public String file() {
      return file;
    }
  }

  private final ZooModel<NDList, NDList> model;
  private final ModelConfig config;
  private final NDManager manager;
  private final Format format;
  private final ParameterStore store;
  private final DataType dtype;
  /** Optimum's output names in the order the engine reads them: logits, then each layer's key and value. */
  private final List<String> outputNames;

  private ExportedDecoder(ZooModel<NDList, NDList> model, ModelConfig config, NDManager manager, Format format, DataType dtype) {
    this.dtype = dtype;
    List<String> names = new ArrayList<>(List.of("logits"));
    for (int l = 0; l < config.numLayers(); l++) {
      names.add("present." + l + ".key");
      names.add("present." + l + ".value");
    }
    this.outputNames = List.copyOf(names);
    this.model = model;
    this.config = config;
    this.manager = manager;
    this.format = format;
    this.store = new ParameterStore(manager, false);
  }

  /**
   * Loads {@code dir/model.pt} or {@code dir/model.onnx} and checks, with a one-token probe, that the graph takes
   * and returns what {@code config.json} says (so a wrong export fails here, naming the file, not mid-run).
   *
   * @param manager the PyTorch manager the engine computes with (its device is the model's)
   * @param dtype the dtype the graph was exported in (its cache inputs are created in it)
   */
  public static ExportedDecoder load(Path dir, Format format, NDManager manager, DataType dtype) throws IOException {
    Path file = dir.resolve(format.file);
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(file, format.file, "file not found");
    }
    Device device = manager.getDevice();
    if (format == Format.ONNX && device.isGpu()) {
      // the onnxruntime jar on the classpath is the CPU build
      throw new ModelFormatException(file, "device", "ONNX Runtime runs on the CPU in this build; asked for " + device);
    }
    ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
    Criteria<NDList, NDList> criteria = Criteria.builder()
        .setTypes(NDList.class, NDList.class)
        .optModelPath(dir)
        .optModelName(format.file.substring(0, format.file.lastIndexOf('.')))
        .optEngine(format.engine)
        .optDevice(device)
        .optTranslator(new NoopTranslator())
        .build();
    ZooModel<NDList, NDList> model;
    try {
      model = criteria.loadModel();
    } catch (ModelNotFoundException | MalformedModelException | RuntimeException e) {
      throw new ModelFormatException(file, format.file, "cannot be loaded by " + format.engine + ": " + e.getMessage());
    }
    ExportedDecoder decoder = new ExportedDecoder(model, config, manager, format, dtype);
    try {
      decoder.probe(file);
    } catch (RuntimeException e) {
      decoder.close();
      throw e;
    }
    return decoder;
  }

  private void probe(Path file) {
    try (NDScope scope = new NDScope()) {
      NDList out = run(manager.create(new long[] {1}, new Shape(1, 1)), manager.create(new long[] {1}, new Shape(1, 1)),
          manager.create(new long[] {0}, new Shape(1, 1)), null);
      if (out.size() != 1 + 2 * config.numLayers()) {
        throw new ModelFormatException(file, "outputs", "expected logits and " + 2 * config.numLayers()
            + " present keys/values (" + config.numLayers() + " layers in config.json), got " + out.size() + " outputs");
      }
      Shape logits = out.get(0).getShape();
      Shape key = out.get(1).getShape();
      if (logits.dimension() != 3 || logits.get(2) != config.vocabSize()) {
        throw new ModelFormatException(file, "logits", "shape " + logits + ", expected (batch, sequence, " + config.vocabSize() + ")");
      }
      Shape expectedKey = new Shape(1, config.numKvHeads(), 1, config.headDim());
      if (!key.equals(expectedKey)) {
        throw new ModelFormatException(file, "present.0.key", "shape " + key + ", expected " + expectedKey);
      }
    } catch (ai.djl.engine.EngineException | IllegalArgumentException e) {
      throw new ModelFormatException(file, "inputs", "the graph does not take Optimum's inputs (input_ids, attention_mask, "
          + "position_ids, past_key_values.<i>.key|value for " + config.numLayers() + " layers): " + e.getMessage());
    }
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  @Override
  public KvCache newCache() {
    return new KvCache(config.numLayers());
  }

  @Override
  public NDArray hiddenStates(NDArray ids, NDArray mask, NDArray positions, KvCache cache) {
    NDList out = run(ids, mask, positions, cache);
    if (cache != null) {
      for (int l = 0; l < config.numLayers(); l++) {
        cache.put(l, out.get(1 + 2 * l), out.get(2 + 2 * l));
      }
    }
    return out.get(0);
  }

  /** The graph already ends in the LM head: its features are the logits (in float32, as the engine samples them). */
  @Override
  public NDArray logits(NDArray hidden) {
    return hidden.toType(DataType.FLOAT32, false);
  }

  /** One call of the graph; outputs on the engine's (PyTorch) manager, registered in the caller's scope. */
  private NDList run(NDArray ids, NDArray mask, NDArray positions, KvCache cache) {
    long batch = ids.getShape().get(0);
    List<NDArray> inputs = new ArrayList<>(List.of(named(ids, "input_ids"), named(mask, "attention_mask"),
        named(positions, "position_ids")));
    for (int l = 0; l < config.numLayers(); l++) {
      boolean cached = cache != null && cache.key(l) != null;
      inputs.add(named(cached ? cache.key(l) : emptyPast(batch), "past_key_values." + l + ".key"));
      inputs.add(named(cached ? cache.value(l) : emptyPast(batch), "past_key_values." + l + ".value"));
    }
    if (format == Format.TORCHSCRIPT) {
      // the profiling executor re-optimises the graph for every new shape; evaluation shapes change each batch
      ai.djl.pytorch.jni.JniUtils.setGraphExecutorOptimize(false);
    }
    NDList out = model.getBlock().forward(store, new NDList(inputs), false);
    if (format == Format.TORCHSCRIPT) {
      return out;
    }
    // ONNX Runtime names its outputs: take them by Optimum's names when all are there, else in graph order (the
    // load-time probe then checks the shapes)
    java.util.Map<String, NDArray> byName = new java.util.HashMap<>();
    out.forEach(a -> byName.put(a.getName(), a));
    List<NDArray> ordered = byName.keySet().containsAll(outputNames) ? outputNames.stream().map(byName::get).toList() : out;
    NDList copied = new NDList(out.size());
    for (NDArray a : ordered) {
      copied.add(manager.from(a));
    }
    out.forEach(NDArray::close);
    return copied;
  }

  private NDArray emptyPast(long batch) {
    return manager.zeros(new Shape(batch, config.numKvHeads(), 0, config.headDim()), dtype);
  }

  /** ONNX Runtime binds inputs by name; the TorchScript module ignores names and takes them in order. */
  private NDArray named(NDArray a, String name) {
    if (format == Format.ONNX) {
      a.setName(name);
    }
    return a;
  }

  @Override
  public void close() {
    model.close();
  }
}

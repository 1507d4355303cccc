package dev.kansoku.config;

import java.io.Serializable;

/**
 * One entry of the model registry ({@code conf/models/*.conf}). Identity for results is {@code id} plus
 * {@code revision}: changing either gives new request ids, so old responses are never reused for new weights.
 */
public record ModelSpec(
    String id,
    String name,
    String revision,
    String path,
    String format,
    String dtype,
    int contextLength,
    boolean generatedWeights,
    Double parameters,
    Double parametersActive,
    Double trainingTokensTotal,
    Double trainingTokensJa,
    Double trainingTokensEn,
    String origin,
    String baseModel,
    String sourceFile,
    java.util.Map<String, String> backendOptions) implements Serializable {

  /**
   * An entry without backend options (a local model).
   *
   * @see #backendOptions() the {@code model.backend} section: settings its format's backend reads and checks itself
   */
  public ModelSpec(String id, String name, String revision, String path, String format, String dtype, int contextLength,
                   boolean generatedWeights, Double parameters, Double parametersActive, Double trainingTokensTotal,
                   Double trainingTokensJa, Double trainingTokensEn, String origin, String baseModel, String sourceFile) {
    this(id, name, revision, path, format, dtype, contextLength, generatedWeights, parameters, parametersActive, trainingTokensTotal,
        trainingTokensJa, trainingTokensEn, origin, baseModel, sourceFile, java.util.Map.of());
  }

  public static final String FORMAT_HF_LLAMA = "hf-llama";
  /** A TorchScript export with past key/values ({@code model.pt}), loaded through DJL Criteria on PyTorch. */
  public static final String FORMAT_TORCHSCRIPT = "torchscript";
  /** An ONNX export with past key/values ({@code model.onnx}, Optimum's names), loaded on ONNX Runtime. */
  public static final String FORMAT_ONNX = "onnx";
  /** Compute dtypes: weights and activations in fp32, bf16 or fp16 (norms, softmax and logits in fp32). */
  public static final java.util.List<String> DTYPES = java.util.List.of("fp32", "bf16", "fp16");

  /**
   * The revision that results are keyed by: the registry's revision, plus the compute dtype when it is not fp32
   * (half precision changes the numbers, so its responses must not be taken for fp32 ones, nor the reverse;
   * fp32 keeps the plain revision so that results computed before dtypes existed stay valid).
   */
  public String resultRevision() {
    return dtype == null || dtype.equals("fp32") ? revision : revision + "+" + dtype;
  }

  /** The same model read from another directory (a local copy of a model on shared storage). */
  public ModelSpec withPath(String dir) {
    return new ModelSpec(id, name, revision, dir, format, dtype, contextLength, generatedWeights, parameters, parametersActive,
        trainingTokensTotal, trainingTokensJa, trainingTokensEn, origin, baseModel, sourceFile, backendOptions);
  }

  /** Whether weights are available locally; reference models without them take part in analysis only. */
  public boolean evaluable() {
    return path != null;
  }

  /** Parameters per token for compute (active experts of a mixture-of-experts model). */
  public Double computeParameters() {
    return parametersActive != null ? parametersActive : parameters;
  }
}

package dev.kansoku.config;

import java.io.Serializable;

/**
 * One entry of the model registry ({@code conf/models/*.conf}). Identity for results is {@code id} plus
 * {@code revision}: changing either gives new request ids, so old responses are never reused for new weights.
 */
public record ModelSpec(
    String id,
    String revision,
    String path,
    String format,
    String dtype,
    int contextLength,
    boolean generatedWeights,
    Double parameters,
    Double trainingTokensTotal,
    Double trainingTokensJa,
    Double trainingTokensEn,
    String origin,
    String sourceFile) implements Serializable {

  public static final String FORMAT_HF_LLAMA = "hf-llama";
}

package dev.kansoku.analysis;

import java.io.Serializable;

/** One model × task score on a 0–1 scale and where it came from ({@code published} or {@code evaluated}). */
public record ScoreCell(String modelId, String taskId, double value, String source) implements Serializable {}

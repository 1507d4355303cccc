package dev.kansoku.task;

import java.io.Serializable;
import java.util.List;

/**
 * One request a task needs for one example, before a model is chosen: a log-likelihood of
 * {@code continuation} after {@code context} (one per choice of a multiple-choice example), or a generation
 * from {@code context}. {@code gold} is what scoring compares against; it is not part of the request identity.
 */
public record PlannedRequest(
    String taskId,
    String taskVersion,
    String exampleId,
    int choiceIndex,
    String kind,
    String context,
    String continuation,
    int maxNewTokens,
    List<String> stop,
    boolean addSpecialTokens,
    String gold) implements Serializable {}

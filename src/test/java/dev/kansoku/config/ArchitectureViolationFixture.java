package dev.kansoku.config;

import dev.kansoku.task.TaskPlan;

/** Breaks the layering on purpose (config using task), so that ArchitectureTest shows its rules can fail. */
public final class ArchitectureViolationFixture {
  private ArchitectureViolationFixture() {}

  public static Class<?> reachUp() {
    return TaskPlan.class;
  }
}

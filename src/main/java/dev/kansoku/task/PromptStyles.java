package dev.kansoku.task;

import dev.kansoku.config.Registry;

/** Every {@code task.prompt.style}: one per reference framework whose prompts Kansoku reproduces. */
public final class PromptStyles {
  public static final Registry<PromptStyle> REGISTRY = Registry.<PromptStyle>builder("prompt style")
      .add(LmEvalPartialEvaluation.NAME, LmEvalPartialEvaluation::new)
      .add(LmEvalPrompt.NAME, LmEvalPrompt::new)
      .add(JpHarnessPrompt.NAME, JpHarnessPrompt::new)
      .add(LlmJpEvalPrompt.NAME, LlmJpEvalPrompt::new)
      .add(BigcodeHumanEvalPrompt.NAME, BigcodeHumanEvalPrompt::new)
      .build();

  private PromptStyles() {}
}

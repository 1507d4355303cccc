package dev.kansoku.metric;

import dev.kansoku.text.PyStrings;
import java.text.Normalizer;

/** How generated text becomes a prediction, per reference framework. */
public enum AnswerPostprocess {
  /** Text as generated. */
  NONE,
  /** llm-jp-eval v1.3.0: {@code normalize(output.split("\n\n")[0].strip())}, normalize = NFKC. */
  LLM_JP_EVAL;

  public static AnswerPostprocess named(String name) {
    return switch (name) {
      case "none" -> NONE;
      case "llm-jp-eval" -> LLM_JP_EVAL;
      default -> throw new IllegalArgumentException("unknown answer postprocess '" + name + "' (known: none, llm-jp-eval)");
    };
  }

  public String prediction(String generated) {
    return switch (this) {
      case NONE -> generated;
      case LLM_JP_EVAL -> {
        int cut = generated.indexOf("\n\n");
        String first = cut < 0 ? generated : generated.substring(0, cut);
        yield Normalizer.normalize(PyStrings.strip(first), Normalizer.Form.NFKC);
      }
    };
  }

  public String gold(String gold) {
    return this == LLM_JP_EVAL ? Normalizer.normalize(gold, Normalizer.Form.NFKC) : gold;
  }
}

package dev.kansoku.metric;

import dev.kansoku.config.Registry;
import dev.kansoku.text.PyStrings;
import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How generated text becomes a prediction, per reference framework (the harnesses' answer filters). */
public enum AnswerPostprocess {
  /** Text as generated. */
  NONE,
  /** llm-jp-eval v1.3.0: {@code normalize(output.split("\n\n")[0].strip())}, normalize = NFKC. */
  LLM_JP_EVAL,
  /** lm-evaluation-harness {@code remove_whitespace}: one leading space removed. */
  REMOVE_WHITESPACE,
  /** lm-evaluation-harness GSM8K {@code strict-match}: first {@code #### (-?[0-9.,]+)}, else "[invalid]". */
  GSM8K_STRICT,
  /** lm-evaluation-harness BBH {@code get-answer}: first {@code (?<=the answer is )(.*)(?=.)}, else "[invalid]". */
  BBH_GET_ANSWER,
  /**
   * JP harness MGSM {@code _extract_answer}: the last {@code -?[0-9.,]+} run, dots stripped at both ends,
   * commas removed, as a number; an integer value is the answer, anything else "[invalid]".
   */
  MGSM_NUMBER;

  static final String INVALID = "[invalid]";
  private static final Pattern GSM8K = Pattern.compile("#### (\\-?[0-9\\.\\,]+)");
  private static final Pattern BBH = Pattern.compile("(?<=the answer is )(.*)(?=.)");
  private static final Pattern NUMBER = Pattern.compile("(\\-?[0-9\\.\\,]+)");

  /** Every {@code task.answer.postprocess} name. */
  public static final Registry<AnswerPostprocess> REGISTRY = Registry.<AnswerPostprocess>builder("answer postprocess")
      .add("none", () -> NONE)
      .add("llm-jp-eval", () -> LLM_JP_EVAL)
      .add("remove-whitespace", () -> REMOVE_WHITESPACE)
      .add("gsm8k-strict-match", () -> GSM8K_STRICT)
      .add("bbh-get-answer", () -> BBH_GET_ANSWER)
      .add("mgsm-number", () -> MGSM_NUMBER)
      .build();

  public static AnswerPostprocess named(String name) {
    return REGISTRY.get(name);
  }

  public String prediction(String generated) {
    return switch (this) {
      case NONE -> generated;
      case LLM_JP_EVAL -> {
        int cut = generated.indexOf("\n\n");
        String first = cut < 0 ? generated : generated.substring(0, cut);
        yield Normalizer.normalize(PyStrings.strip(first), Normalizer.Form.NFKC);
      }
      case REMOVE_WHITESPACE -> generated.startsWith(" ") ? generated.substring(1) : generated;
      case GSM8K_STRICT -> firstGroup(GSM8K, generated);
      case BBH_GET_ANSWER -> firstGroup(BBH, generated);
      case MGSM_NUMBER -> mgsmNumber(generated);
    };
  }

  public String gold(String gold) {
    return this == LLM_JP_EVAL ? Normalizer.normalize(gold, Normalizer.Form.NFKC) : gold;
  }

  /** {@code re.findall(pattern, text)[0].strip()} for a one-group pattern, or the fallback. */
  private static String firstGroup(Pattern p, String text) {
    Matcher m = p.matcher(text);
    return m.find() ? PyStrings.strip(m.group(1)) : INVALID;
  }

  private static String mgsmNumber(String completion) {
    List<String> matches = new ArrayList<>();
    Matcher m = NUMBER.matcher(completion);
    while (m.find()) {
      matches.add(m.group(1));
    }
    if (matches.isEmpty()) {
      return INVALID;
    }
    String s = matches.get(matches.size() - 1).replaceAll("^\\.+|\\.+$", "").replace(",", "");
    try {
      // Python float(): "-" or "1.2.3" fail; an integral value (even "18.0") is the integer
      BigDecimal value = new BigDecimal(s);
      BigDecimal integral = value.setScale(0, java.math.RoundingMode.DOWN);
      return value.compareTo(integral) == 0 ? integral.toBigInteger().toString() : INVALID;
    } catch (NumberFormatException e) {
      return INVALID;
    }
  }
}

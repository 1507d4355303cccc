package dev.kansoku.task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MGSM's few-shot exemplars as Google publishes them: {@code exemplars.py}, a Python dict literal
 * {@code {"<lang>": {"1": {"q": "...", "a": "..."}, ...}}} (strings with {@code \\uXXXX} escapes, possibly split
 * into adjacent literals). This reads the literals (it never runs the file) for the language in
 * {@code dataset.language-filter}, in key order; that list is the "train" split the harness samples from.
 * Fields: question (q), answer (a), question_text and answer_text (without their 問題： / ステップごとの答え： markers).
 */
public final class MgsmExemplarsLoader implements DatasetLoader {
  private static final String STRINGS = "((?:\"(?:[^\"\\\\]|\\\\.)*\"\\s*)+)";
  private static final Pattern ENTRY = Pattern.compile("\"(\\d+)\"\\s*:\\s*\\{\\s*\"q\"\\s*:\\s*" + STRINGS + ",\\s*\"a\"\\s*:\\s*" + STRINGS + ",?\\s*}");
  private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  @Override
  public LoadedDataset load(Path file, Selection selection) throws IOException {
    String lang = selection.languageFilter();
    if (lang == null) {
      throw new DatasetFormatException(file.toString(), "language-filter", "set dataset.language-filter to the exemplars' language (e.g. ja)");
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int start = text.indexOf("\"" + lang + "\": {");
    if (start < 0) {
      throw new DatasetFormatException(file.toString(), "language-filter", "no exemplars for language '" + lang + "'");
    }
    // the language's block ends where the next top-level language key starts
    Matcher next = Pattern.compile("\n    \"[a-z]{2}\": \\{").matcher(text);
    int end = next.find(start + 1) ? next.start() : text.length();
    String block = text.substring(start, end);
    List<Doc> docs = new ArrayList<>();
    Matcher m = ENTRY.matcher(block);
    while (m.find()) {
      Map<String, String> f = new LinkedHashMap<>();
      f.put("question", literal(m.group(2)));
      f.put("answer", literal(m.group(3)));
      // the JP harness' doc_to_text / doc_to_target: question.replace('問題：',''), answer.replace('ステップごとの答え：','')
      f.put("question_text", f.get("question").replace("問題：", ""));
      f.put("answer_text", f.get("answer").replace("ステップごとの答え：", ""));
      long line = text.substring(0, start + m.start()).lines().count() + 1;
      docs.add(new Doc(m.group(1), f, file + ":" + line));
    }
    if (docs.isEmpty()) {
      throw new DatasetFormatException(file.toString(), lang, "no {\"q\": ..., \"a\": ...} exemplars found");
    }
    return new LoadedDataset(docs, List.of());
  }

  /** Adjacent Python string literals concatenated, escapes decoded. */
  static String literal(String literals) {
    StringBuilder out = new StringBuilder();
    Matcher m = LITERAL.matcher(literals);
    while (m.find()) {
      out.append(unescape(m.group(1)));
    }
    return out.toString();
  }

  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= s.length()) {
        out.append(c);
        continue;
      }
      char e = s.charAt(++i);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'u' -> {
          out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> out.append(e);
      }
    }
    return out.toString();
  }
}

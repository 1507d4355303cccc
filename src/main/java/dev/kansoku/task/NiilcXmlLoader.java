package dev.kansoku.task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * NIILC-ECQA2015 XML ({@code <questions><question id><text/><answers><answer/>…</answers>…}), read as
 * llm-jp-eval 1.3.0 reads it through xmltodict: text stripped; several answers joined by "," (empty ones
 * dropped); questions whose answer is "-" (unanswerable) left out, as the reference does. A question
 * without an answer is reported. The example id is the question's {@code id} attribute.
 */
public final class NiilcXmlLoader implements DatasetLoader {
  @Override
  public LoadedDataset load(Path file, Selection selection) throws IOException {
    org.w3c.dom.Document xml;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      xml = f.newDocumentBuilder().parse(file.toFile());
    } catch (SAXParseException e) {
      throw new DatasetFormatException(file + ":" + e.getLineNumber(), "xml", e.getMessage());
    } catch (SAXException | ParserConfigurationException e) {
      throw new DatasetFormatException(file.toString(), "xml", e.getMessage());
    }
    List<Doc> docs = new ArrayList<>();
    List<LoadedDataset.RowError> errors = new ArrayList<>();
    NodeList questions = xml.getElementsByTagName("question");
    for (int i = 0; i < questions.getLength(); i++) {
      Element q = (Element) questions.item(i);
      String id = q.getAttribute("id").isEmpty() ? "question-" + i : q.getAttribute("id");
      NodeList texts = q.getElementsByTagName("text");
      NodeList answers = q.getElementsByTagName("answer");
      if (texts.getLength() == 0 || answers.getLength() == 0) {
        errors.add(new LoadedDataset.RowError(file.toString(), 0, id + ": question without text or answer"));
        continue;
      }
      List<String> values = new ArrayList<>();
      for (int a = 0; a < answers.getLength(); a++) {
        values.add(answers.item(a).getTextContent().strip());
      }
      String answer = values.size() == 1 ? values.get(0) : String.join(",", values.stream().filter(v -> !v.isEmpty()).toList());
      if (answer.equals("-")) {
        continue; // no answer exists; llm-jp-eval drops these questions
      }
      if (answer.isEmpty()) {
        errors.add(new LoadedDataset.RowError(file.toString(), 0, id + ": empty answer"));
        continue;
      }
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("id", id);
      fields.put("text", texts.item(0).getTextContent().strip());
      fields.put("answer", answer);
      docs.add(new Doc(id, fields, file + "#" + id));
    }
    return new LoadedDataset(docs, errors);
  }
}

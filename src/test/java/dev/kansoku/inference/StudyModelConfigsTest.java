package dev.kansoku.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * The config.json shapes of the study's 35 models ({@code conf/models/configs/}, one per reference registry entry)
 * against {@code data/published/models.csv}, which was researched separately from the published configs: the same
 * architecture, hidden size, layers, heads, KV heads, vocabulary and positions, and a parameter count from the
 * tensors those fields imply within 0.5 % of the csv's (which checks intermediate sizes, tied heads and experts).
 * Every config of a supported architecture must parse.
 */
class StudyModelConfigsTest {
  private static final Path CONFIGS = Path.of("conf/models/configs");

  @Test
  void everyStudyModelHasAConfigThatAgreesWithThePublishedMetadata() throws Exception {
    Map<String, CSVRecord> rows = new TreeMap<>();
    try (Reader in = Files.newBufferedReader(Path.of("data/published/models.csv"))) {
      CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(in).forEach(r -> rows.put(r.get("model_id"), r));
    }
    List<String> registry = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("conf/models/reference"))) {
      s.filter(p -> p.toString().endsWith(".conf")).forEach(p -> registry.add(p.getFileName().toString().replace(".conf", "")));
    }
    assertEquals(35, registry.size());
    ObjectMapper json = new ObjectMapper();
    int parsed = 0;
    for (String file : registry) {
      Path configFile = CONFIGS.resolve(file + ".json");
      assertTrue(Files.isRegularFile(configFile), "no config.json shape for " + file);
      JsonNode c = json.readTree(configFile.toFile());
      String id = file.replace("--", "/");
      CSVRecord r = rows.get(id);
      assertTrue(r != null, id + " missing from models.csv");
      assertTrue(c.path("_source").asText().startsWith("https://huggingface.co/" + id), id + ": source");
      String arch = c.get("architectures").get(0).asText();
      assertEquals(r.get("family_architecture"), arch, id);
      boolean gpt2 = arch.equals("GPT2LMHeadModel");
      assertEquals(r.get("hidden_size"), c.get(gpt2 ? "n_embd" : "hidden_size").asText(), id + " hidden");
      assertEquals(r.get("layers"), c.get(gpt2 ? "n_layer" : "num_hidden_layers").asText(), id + " layers");
      assertEquals(r.get("heads"), c.get(gpt2 ? "n_head" : "num_attention_heads").asText(), id + " heads");
      assertEquals(r.get("kv_heads"), gpt2 ? c.get("n_head").asText() : c.get("num_key_value_heads").asText(), id + " kv heads");
      assertEquals(r.get("vocab_size"), c.get("vocab_size").asText(), id + " vocab");
      assertEquals(r.get("max_context"), c.get(gpt2 ? "n_positions" : "max_position_embeddings").asText(), id + " positions");
      ModelConfig config = ModelConfig.read(configFile);
      double params = TensorSpec.of(config).stream().mapToLong(TensorSpec::elements).sum();
      parsed++;
      if (gpt2) {
        // counted again from GPT2Config's keys alone: fused qkv + biases, 4h MLP + biases, two LayerNorms, learned
        // positions, tied head
        long h = c.get("n_embd").asLong();
        long inner = c.get("n_inner").isNull() ? 4 * h : c.get("n_inner").asLong();
        long byHand = c.get("n_layer").asLong() * (4 * h * h + 4 * h + 2 * h * inner + inner + h + 4 * h)
            + (c.get("vocab_size").asLong() + c.get("n_positions").asLong()) * h + 2 * h;
        assertEquals(byHand, (long) params, id + ": the tensors of the tensor table");
      }
      double published = Double.parseDouble(r.get("params_total_b")) * 1e9;
      assertEquals(published, params, published * 0.005, id + " parameters");
    }
    assertEquals(35, parsed, "every study model's config.json parses");
  }
}

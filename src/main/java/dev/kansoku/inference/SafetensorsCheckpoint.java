package dev.kansoku.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The weight files of a Hugging Face checkpoint directory and which file holds each tensor. A sharded download's
 * {@code model.safetensors.index.json} decides (transformers' rule): only the shards it names are read, a shard
 * it names must exist and hold the tensors listed for it, and other {@code *.safetensors} files in the folder
 * (a stale shard of another revision) are ignored with a warning. Without an index every {@code *.safetensors}
 * file is read, and a tensor found in two of them is an error naming both — never a silent overwrite.
 */
public final class SafetensorsCheckpoint {
  public static final String INDEX = "model.safetensors.index.json";
  private static final Logger LOG = LoggerFactory.getLogger(SafetensorsCheckpoint.class);
  private final Path dir;
  private final Map<String, SafetensorsFile> byTensor;
  private final List<SafetensorsFile> files;

  private SafetensorsCheckpoint(Path dir, Map<String, SafetensorsFile> byTensor, List<SafetensorsFile> files) {
    this.dir = dir;
    this.byTensor = Collections.unmodifiableMap(byTensor);
    this.files = List.copyOf(files);
  }

  /** Opens the index (if any) and every weight file's header; reads no tensor data. */
  public static SafetensorsCheckpoint open(Path dir) throws IOException {
    Path index = dir.resolve(INDEX);
    return Files.isRegularFile(index) ? fromIndex(dir, index) : fromDirectory(dir);
  }

  private static SafetensorsCheckpoint fromIndex(Path dir, Path index) throws IOException {
    JsonNode weightMap;
    try {
      weightMap = new ObjectMapper().readTree(index.toFile()).get("weight_map");
    } catch (IOException e) {
      throw new ModelFormatException(index, "weight_map", "index is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
      throw new ModelFormatException(index, "weight_map", "the index has no weight_map object naming each tensor's file");
    }
    Map<String, List<String>> tensorsByFile = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      tensorsByFile.computeIfAbsent(e.getValue().asText(), f -> new ArrayList<>()).add(e.getKey());
    }
    Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
    List<SafetensorsFile> files = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : tensorsByFile.entrySet()) {
      Path shard = dir.resolve(e.getKey());
      if (!shard.normalize().startsWith(dir.normalize()) || !Files.isRegularFile(shard)) {
        throw new ModelFormatException(shard, e.getValue().get(0), "shard named by " + INDEX + " is missing ("
            + e.getValue().size() + " tensors listed in it)");
      }
      SafetensorsFile file = SafetensorsFile.open(shard);
      files.add(file);
      for (String tensor : e.getValue()) {
        if (!file.tensors().containsKey(tensor)) {
          throw new ModelFormatException(shard, tensor, "tensor listed for this shard by " + INDEX + " is not in it");
        }
        byTensor.put(tensor, file);
      }
    }
    TreeSet<String> ignored = new TreeSet<>();
    for (Path f : weightFiles(dir)) {
      if (!tensorsByFile.containsKey(f.getFileName().toString())) {
        ignored.add(f.getFileName().toString());
      }
    }
    if (!ignored.isEmpty()) {
      LOG.warn("{}: ignoring {} not named by {} (stale shards of another revision?)", dir, ignored, INDEX);
    }
    return new SafetensorsCheckpoint(dir, byTensor, files);
  }

  private static SafetensorsCheckpoint fromDirectory(Path dir) throws IOException {
    List<Path> paths = weightFiles(dir);
    if (paths.isEmpty()) {
      throw new ModelFormatException(dir, "*.safetensors", "no weight files in the model directory");
    }
    Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
    List<SafetensorsFile> files = new ArrayList<>();
    for (Path p : paths) {
      SafetensorsFile file = SafetensorsFile.open(p);
      files.add(file);
      for (String tensor : file.tensors().keySet()) {
        SafetensorsFile earlier = byTensor.putIfAbsent(tensor, file);
        if (earlier != null) {
          throw new ModelFormatException(p, tensor, "tensor is also in " + earlier.path().getFileName()
              + " and no " + INDEX + " says which to use (remove the stale file)");
        }
      }
    }
    return new SafetensorsCheckpoint(dir, byTensor, files);
  }

  /** The directory's {@code *.safetensors} files in name order (shards are numbered). */
  private static List<Path> weightFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.safetensors")) {
      ds.forEach(out::add);
    }
    Collections.sort(out);
    return out;
  }

  public Path dir() {
    return dir;
  }

  /** The file holding {@code tensor}, or null when the checkpoint has no such tensor. */
  /** Every tensor name the checkpoint stores. */
  public java.util.Set<String> tensorNames() {
    return java.util.Collections.unmodifiableSet(byTensor.keySet());
  }

  public SafetensorsFile fileOf(String tensor) {
    return byTensor.get(tensor);
  }

  public Collection<SafetensorsFile> files() {
    return files;
  }

  /** Bytes of all tensors the checkpoint uses, as stored. */
  public long storedBytes() {
    long n = 0;
    for (Map.Entry<String, SafetensorsFile> e : byTensor.entrySet()) {
      SafetensorsFile.TensorInfo t = e.getValue().tensors().get(e.getKey());
      n += t.end() - t.begin();
    }
    return n;
  }
}

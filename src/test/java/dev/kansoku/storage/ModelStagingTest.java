package dev.kansoku.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.inference.RandomCheckpoint;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model directory on a real HDFS (MiniDFSCluster) staged into a local cache: copied once, byte for byte, and
 * reused by a later "run" (a new executor JVM's first staging); a killed copy, a damaged cache file and weights
 * replaced under the same revision are never used; an index naming a missing shard is one line.
 */
class ModelStagingTest {
  @TempDir
  static Path tmp;
  private static MiniDFSCluster hdfs;
  private static FileSystem fs;
  private static String root;
  private Path cache;

  @BeforeAll
  static void startHdfs() throws Exception {
    Configuration c = new Configuration();
    c.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
    hdfs = new MiniDFSCluster.Builder(c).numDataNodes(1).build();
    hdfs.waitActive();
    fs = hdfs.getFileSystem();
    root = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
    RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @BeforeEach
  void freshExecutor() throws Exception {
    ModelStaging.forget();
    cache = Files.createTempDirectory(tmp, "cache");
  }

  private static ModelSpec upload(String name) throws Exception {
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path("/models/" + name);
    fs.delete(dir, true);
    fs.mkdirs(dir);
    try (Stream<Path> files = Files.list(TestPaths.TINY_MODEL)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(f.toUri()), new org.apache.hadoop.fs.Path(dir, f.getFileName().toString()));
      }
    }
    return new ModelSpec(name, name, "r1", root + "/models/" + name, "hf-llama", "fp32", 2048, false, null, null, null, null,
        null, "test", null, "models/" + name + ".conf");
  }

  private ModelSpec stage(ModelSpec spec, ModelStaging.Kind kind) {
    return ModelStaging.local(spec, kind, fs.getConf(), cache.toString());
  }

  @Test
  void aModelIsCopiedOnceAndReusedByALaterRun() throws Exception {
    ModelSpec remote = upload("tiny");
    ModelSpec local = stage(remote, ModelStaging.Kind.FULL);
    Path dir = Path.of(local.path());
    assertEquals(cache.resolve("tiny/r1/full"), dir);
    for (String f : List.of("config.json", "tokenizer.json", "model.safetensors")) {
      assertArrayEquals(Files.readAllBytes(TestPaths.TINY_MODEL.resolve(f)), Files.readAllBytes(dir.resolve(f)), f);
    }
    Object inode = Files.getAttribute(dir.resolve("model.safetensors"), "unix:ino");
    ModelStaging.forget();
    ModelSpec again = stage(remote, ModelStaging.Kind.FULL);
    assertEquals(local.path(), again.path());
    assertEquals(inode, Files.getAttribute(dir.resolve("model.safetensors"), "unix:ino"), "the verified copy is reused, not copied again");
    ModelSpec meta = stage(remote, ModelStaging.Kind.METADATA);
    assertTrue(Files.isRegularFile(Path.of(meta.path(), "tokenizer.json")));
    assertFalse(Files.exists(Path.of(meta.path(), "model.safetensors")), "the driver's copy leaves the weights out");
    ModelSpec localSpec = remote.withPath(TestPaths.TINY_MODEL.toString());
    assertSame(localSpec, stage(localSpec, ModelStaging.Kind.FULL), "a local path is used as it is");
  }

  @Test
  void aKilledCopyOrADamagedCacheIsNeverUsed() throws Exception {
    ModelSpec remote = upload("tiny-damaged");
    Path target = cache.resolve("tiny-damaged/r1/full");
    // what a killed copy leaves: a partial directory, and a target without the marker
    Files.createDirectories(target.resolveSibling("full.partial-killed"));
    Files.writeString(target.resolveSibling("full.partial-killed/model.safetensors"), "cut");
    Files.createDirectories(target);
    Files.writeString(target.resolve("model.safetensors"), "cut short");
    Path dir = Path.of(stage(remote, ModelStaging.Kind.FULL).path());
    assertEquals(Files.size(TestPaths.TINY_MODEL.resolve("model.safetensors")), Files.size(dir.resolve("model.safetensors")));
    // a cache file damaged later (truncated by a full disk): the next run copies again
    ModelStaging.forget();
    Files.write(dir.resolve("model.safetensors"), new byte[10]);
    Path again = Path.of(stage(remote, ModelStaging.Kind.FULL).path());
    assertArrayEquals(Files.readAllBytes(TestPaths.TINY_MODEL.resolve("model.safetensors")), Files.readAllBytes(again.resolve("model.safetensors")));
  }

  @Test
  void weightsReplacedUnderTheSameRevisionAreCopiedAgain() throws Exception {
    ModelSpec remote = upload("tiny-replaced");
    Path dir = Path.of(stage(remote, ModelStaging.Kind.FULL).path());
    Object before = Files.getAttribute(dir.resolve("model.safetensors"), "unix:ino");
    try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path("/models/tiny-replaced/extra.txt"))) {
      out.write("a file added after the first copy".getBytes(StandardCharsets.UTF_8));
    }
    ModelStaging.forget();
    Path again = Path.of(stage(remote, ModelStaging.Kind.FULL).path());
    assertTrue(Files.isRegularFile(again.resolve("extra.txt")));
    assertNotEquals(before, Files.getAttribute(again.resolve("model.safetensors"), "unix:ino"), "a new copy");
  }

  @Test
  void problemsAreOneLineNamingTheModel() throws Exception {
    ModelSpec remote = upload("tiny-bad-index");
    try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path("/models/tiny-bad-index/model.safetensors.index.json"))) {
      out.write("{\"weight_map\": {\"lm_head.weight\": \"model-00002-of-00002.safetensors\"}}".getBytes(StandardCharsets.UTF_8));
    }
    ModelStagingException e = assertThrows(ModelStagingException.class, () -> stage(remote, ModelStaging.Kind.METADATA));
    assertTrue(e.getMessage().contains("models/tiny-bad-index.conf: model.path " + remote.path()
        + ": model.safetensors.index.json names the shard model-00002-of-00002.safetensors"), e.getMessage());
    ModelSpec missing = remote.withPath(root + "/models/nowhere");
    e = assertThrows(ModelStagingException.class, () -> stage(missing, ModelStaging.Kind.FULL));
    assertTrue(e.getMessage().endsWith(root + "/models/nowhere: model directory does not exist"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }
}

package dev.kansoku.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.spark.internal.config.ConfigEntry;
import org.apache.spark.sql.internal.SQLConf$;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The recipes that cannot run here (YARN, Kubernetes) are checked instead: their properties files parse and
 * name only keys that exist in Spark 4.2's core, SQL, YARN and Kubernetes configuration registries (or the
 * documented pattern keys for resources and volumes); the files they point at exist; the pod template asks
 * for an NVIDIA GPU.
 */
class DeployRecipesTest {
  private static final Pattern RESOURCE = Pattern.compile("spark\\.(executor|driver|task)\\.resource\\.[a-z]+\\.(amount|discoveryScript|vendor)");
  private static final Pattern K8S_VOLUME = Pattern.compile(
      "spark\\.kubernetes\\.(driver|executor)\\.volumes\\.(persistentVolumeClaim|hostPath|emptyDir|nfs)\\.[a-z0-9-]+\\.(mount\\.(path|readOnly|subPath)|options\\.[a-zA-Z]+)");

  @BeforeAll
  static void registerConfigEntries() throws Exception {
    // Scala objects register their ConfigEntry instances when first loaded
    for (String object : List.of("org.apache.spark.internal.config.package$", "org.apache.spark.deploy.yarn.config.package$",
        "org.apache.spark.deploy.k8s.Config$")) {
      Class.forName(object).getField("MODULE$").get(null);
    }
  }

  /** Spark's documented prefix for executor environment variables (spark.executorEnv.[EnvironmentVariableName]). */
  private static final Pattern EXECUTOR_ENV = Pattern.compile("spark\\.executorEnv\\.[A-Z_][A-Z0-9_]*");

  private static boolean known(String key) {
    return key.equals("spark.master") || EXECUTOR_ENV.matcher(key).matches() || RESOURCE.matcher(key).matches()
        || K8S_VOLUME.matcher(key).matches()
        || ConfigEntry.findEntry(key) != null || SQLConf$.MODULE$.containsConfigKey(key);
  }

  private static Properties load(String path) throws Exception {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(TestPaths.REPO.resolve(path))) {
      p.load(r);
    }
    return p;
  }

  @Test
  void yarnRecipeNamesOnlyExistingKeys() throws Exception {
    Properties p = load("deploy/yarn/kansoku-yarn.properties");
    List<String> unknown = new ArrayList<>();
    p.stringPropertyNames().stream().sorted().filter(k -> !known(k)).forEach(unknown::add);
    assertEquals(List.of(), unknown, "keys Spark does not define");
    assertEquals("yarn", p.getProperty("spark.master"));
    assertEquals("1", p.getProperty("spark.task.resource.gpu.amount"));
    assertTrue(Files.isExecutable(TestPaths.REPO.resolve(p.getProperty("spark.yarn.dist.files"))));
  }

  @Test
  void kubernetesRecipeNamesOnlyExistingKeysAndRequestsGpus() throws Exception {
    Properties p = load("deploy/kubernetes/kansoku-k8s.properties");
    List<String> unknown = new ArrayList<>();
    p.stringPropertyNames().stream().sorted().filter(k -> !known(k)).forEach(unknown::add);
    assertEquals(List.of(), unknown, "keys Spark does not define");
    assertTrue(p.getProperty("spark.master").startsWith("k8s://"));
    Path template = TestPaths.REPO.resolve(p.getProperty("spark.kubernetes.executor.podTemplateFile"));
    Map<String, Object> pod = new Yaml().load(Files.readString(template));
    assertEquals("Pod", pod.get("kind"));
    @SuppressWarnings("unchecked")
    Map<String, Object> container = ((List<Map<String, Object>>) ((Map<String, Object>) pod.get("spec")).get("containers")).get(0);
    @SuppressWarnings("unchecked")
    Map<String, Object> limits = (Map<String, Object>) ((Map<String, Object>) container.get("resources")).get("limits");
    assertEquals(1, limits.get("nvidia.com/gpu"));
  }

  @Test
  void aMisspelledKeyIsCaught() {
    assertTrue(known("spark.executor.memoryOverhead"));
    assertTrue(!known("spark.executor.memoryOverhed"));
    assertTrue(!known("spark.kubernetes.executor.podTemplateFil"));
  }

  @Test
  void discoveryScriptPrintsSparkResourceJson() throws Exception {
    // with CUDA_VISIBLE_DEVICES set the script does not need nvidia-smi
    ProcessBuilder pb = new ProcessBuilder("bash", TestPaths.REPO.resolve("deploy/gpu/discover-gpus.sh").toString());
    pb.environment().put("CUDA_VISIBLE_DEVICES", "3,5");
    Process proc = pb.start();
    String out = new String(proc.getInputStream().readAllBytes()).trim();
    assertEquals(0, proc.waitFor());
    assertEquals("{\"name\": \"gpu\", \"addresses\": [\"0\",\"1\"]}", out);
  }
}

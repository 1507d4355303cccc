package dev.kansoku.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import dev.kansoku.config.ArchitectureViolationFixture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The house's floors, checked on the compiled main classes: which package may use which (the table in
 * docs/architecture.md), no cycle between packages, no Spark, Scala or Hadoop in the engine-neutral core.
 */
class ArchitectureTest {
  private static final String ROOT = "dev.kansoku.";
  /** Package → the packages below it that it may use (besides itself and anything outside the project). */
  static final Map<String, List<String>> MAY_USE = new LinkedHashMap<>();

  static {
    MAY_USE.put("text", List.of());
    MAY_USE.put("bench", List.of());
    MAY_USE.put("config", List.of());
    MAY_USE.put("task", List.of("config", "text"));
    MAY_USE.put("inference", List.of("config", "text", "bench"));
    MAY_USE.put("sandbox", List.of("config"));
    MAY_USE.put("metric", List.of("config", "text", "task", "sandbox"));
    MAY_USE.put("results", List.of("config", "text", "task"));
    MAY_USE.put("storage", List.of("config"));
    MAY_USE.put("plan", List.of("config", "text", "task", "results"));
    MAY_USE.put("infer", List.of("config", "text", "bench", "inference", "results", "storage"));
    MAY_USE.put("score", List.of("config", "text", "task", "inference", "sandbox", "metric", "results", "storage"));
    MAY_USE.put("pipeline", List.of("config", "text", "bench", "task", "inference", "sandbox", "metric", "results", "storage", "plan", "infer", "score"));
    MAY_USE.put("analysis", List.of("config", "text", "bench", "results"));
    MAY_USE.put("tooling", List.of("config", "text", "bench", "inference", "infer", "serve"));
    MAY_USE.put("serve", List.of("config", "text", "inference"));
    MAY_USE.put("remote", List.of("config", "text", "inference"));
    MAY_USE.put("cli", List.of("remote", "serve", "tooling", "config", "text", "bench", "task", "inference", "sandbox", "metric", "results", "storage", "plan", "infer", "score",
        "pipeline", "analysis"));
  }

  /** The engine-neutral core: plain Java, testable without a SparkSession. */
  static final List<String> CORE = List.of("config", "task", "inference", "metric", "sandbox", "text");

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.kansoku");

  static ArchRule layering() {
    List<ArchRule> rules = new ArrayList<>();
    MAY_USE.forEach((pkg, below) -> {
      String[] allowed = new String[below.size() + 1];
      allowed[0] = ROOT + pkg + "..";
      for (int i = 0; i < below.size(); i++) {
        allowed[i + 1] = ROOT + below.get(i) + "..";
      }
      rules.add(classes().that().resideInAPackage(ROOT + pkg + "..")
          .should().onlyDependOnClassesThat(not(resideInAPackage("dev.kansoku..")).or(resideInAnyPackage(allowed)))
          .as(pkg + " uses only " + (below.isEmpty() ? "itself" : String.join(", ", below)))
          .allowEmptyShould(true));
    });
    return CompositeArchRule.of(rules);
  }

  @Test
  void everyPackageUsesOnlyTheFloorsBelowIt() {
    layering().check(MAIN);
  }

  @Test
  void everyMainPackageHasItsPlaceInTheTable() {
    for (var c : MAIN) {
      String pkg = c.getPackageName();
      if (pkg.startsWith(ROOT)) {
        String top = pkg.substring(ROOT.length()).split("\\.")[0];
        assertTrue(MAY_USE.containsKey(top), c.getName() + " is in package " + top + ", which the layering table does not name");
      }
    }
  }

  @Test
  void noCyclesBetweenPackages() {
    slices().matching("dev.kansoku.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void theCoreHasNoSparkScalaOrHadoop() {
    noClasses().that().resideInAnyPackage(CORE.stream().map(p -> ROOT + p + "..").toArray(String[]::new))
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "scala..", "org.apache.hadoop..")
        .check(MAIN);
  }

  /** The engine reaches an architecture through the registry (service loader) only, never by its class. */
  @Test
  void theEngineKnowsNoArchitectureClass() {
    noClasses().that().resideOutsideOfPackage(ROOT + "inference.architecture..")
        .should().dependOnClassesThat().resideInAPackage(ROOT + "inference.architecture..")
        .check(MAIN);
  }

  /**
   * The text-level port and the harness' token rules never touch DJL: a backend that is not a local engine (a served
   * model) implements them without loading a native engine.
   */
  @Test
  void theHarnessAndThePortNeverImportDjl() {
    noClasses().that().haveFullyQualifiedName(ROOT + "inference.HarnessPairEncoding")
        .or().haveFullyQualifiedName(ROOT + "inference.LanguageModel")
        .or().haveNameMatching(java.util.regex.Pattern.quote(ROOT + "inference.LanguageModel$") + ".*")
        .or().haveFullyQualifiedName(ROOT + "inference.LoglikelihoodRequest")
        .or().haveFullyQualifiedName(ROOT + "inference.LoglikelihoodResult")
        .or().haveFullyQualifiedName(ROOT + "inference.GenerationRequest")
        .or().haveFullyQualifiedName(ROOT + "inference.GenerationResult")
        .should().dependOnClassesThat().resideInAPackage("ai.djl..")
        .check(MAIN);
  }

  /** Each architecture builds on the shared layers, not on another architecture (as transformers' modular files do on Llama). */
  @Test
  void architecturesNeverUseEachOther() {
    List<String> violations = new ArrayList<>();
    for (var c : MAIN) {
      if (!c.getPackageName().equals(ROOT + "inference.architecture")) {
        continue;
      }
      String own = c.getName().split("\\$")[0];
      c.getDirectDependenciesFromSelf().forEach(d -> {
        var target = d.getTargetClass();
        if (target.getPackageName().equals(c.getPackageName()) && !target.getName().split("\\$")[0].equals(own)) {
          violations.add(d.getDescription());
        }
      });
    }
    assertTrue(violations.isEmpty(), String.join("\n", violations));
  }

  /**
   * No Hugging Face architecture string in main code outside the architecture package: a family's name, keys and
   * branches live in its class. the tooling package (benchmarks, shape-true checkpoints) writes synthetic configs.
   */
  @Test
  void noArchitectureNameOutsideTheArchitecturePackage() throws java.io.IOException {
    java.util.regex.Pattern name = java.util.regex.Pattern.compile("\"[A-Za-z0-9]+(ForCausalLM|LMHeadModel)\\?\"");
    List<String> found = new ArrayList<>();
    java.nio.file.Path main = dev.kansoku.TestPaths.REPO.resolve("src/main/java");
    try (var files = java.nio.file.Files.walk(main)) {
      for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String rel = main.relativize(f).toString();
        if (rel.startsWith("dev/kansoku/inference/architecture/") || rel.startsWith("dev/kansoku/tooling/")) {
          continue;
        }
        var m = name.matcher(java.nio.file.Files.readString(f));
        while (m.find()) {
          found.add(rel + ": " + m.group());
        }
      }
    }
    assertTrue(found.isEmpty(), String.join("\n", found));
  }

  @Test
  void aBrokenRuleIsCaught() {
    // a test-only class in config that reaches up into task: the same rules must reject it
    JavaClasses withViolation = new ClassFileImporter().importClasses(ArchitectureViolationFixture.class);
    AssertionError e = assertThrows(AssertionError.class, () -> layering().check(withViolation));
    assertTrue(e.getMessage().contains("config uses only itself") && e.getMessage().contains("TaskPlan"), e.getMessage());
  }
}

package dev.kansoku.cli;

import dev.kansoku.config.ConfBundle;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ResolvedRun;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Options shared by the jobs: where the configuration is and how to override it. */
final class ConfigOptions {
  @Option(names = "--conf-dir", description = "Configuration directory (default: conf, or the one jobs/submit.sh "
      + "shipped with a cluster-mode driver).")
  Path confDir;

  @Option(names = "--base-dir", description = "Where relative paths in the configuration resolve (default: the parent "
      + "of --conf-dir); jobs/submit.sh sets it when conf/ travels with a cluster-mode driver.")
  Path baseDir;

  @Option(names = "--conf", description = "A HOCON file whose settings override conf/application.conf.")
  Path confFile;

  @Option(names = "-D", mapFallbackValue = "", description = "Override one setting, e.g. -Dkansoku.limit=10.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--results", description = "Results directory; overrides kansoku.results-dir.")
  String results;

  ResolvedRun load(Map<String, String> extra) {
    Map<String, String> all = new LinkedHashMap<>(extra);
    if (results != null) {
      all.put("kansoku.results-dir", results);
    }
    // explicit -D settings win over the convenience options
    all.putAll(overrides);
    return loader().load(confFile, all);
  }

  private Path shipped;

  ConfigLoader loader() {
    Path dir = confDir;
    if (dir == null && shipped == null) {
      shipped = ConfBundle.unpackShipped();
      dir = shipped;
      if (dir != null) {
        LoggerFactory.getLogger(ConfigOptions.class).info("configuration: shipped with the application (unpacked into {}), "
            + "relative paths against {}", dir, baseDir);
      }
    }
    if (dir == null) {
      dir = shipped;
    }
    return new ConfigLoader(dir == null ? Path.of("conf") : dir, baseDir);
  }
}

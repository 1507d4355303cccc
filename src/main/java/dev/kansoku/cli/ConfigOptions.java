package dev.kansoku.cli;

import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ResolvedRun;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by the jobs: where the configuration is and how to override it. */
final class ConfigOptions {
  @Option(names = "--conf-dir", defaultValue = "conf", description = "Configuration directory (default: ${DEFAULT-VALUE}).")
  Path confDir;

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
    return new ConfigLoader(confDir).load(confFile, all);
  }
}

package dev.airgap.exporter.source.maven;

import dev.airgap.core.error.UsageException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plugins Maven binds to a packaging's lifecycle phases by default, with the versions Maven
 * 3.8.x uses when the project does not set one (its {@code META-INF/plexus/default-bindings.xml}).
 * Other Maven versions use other defaults: projects should pin their plugin versions (Maven
 * recommends it), or list the right versions under {@code plugins:} in the spec.
 */
final class LifecyclePlugins {
  static final List<String> DEFAULT_PHASES = List.of("validate", "initialize", "generate-sources", "process-sources", "generate-resources",
      "process-resources", "compile", "process-classes", "generate-test-sources", "process-test-sources", "generate-test-resources",
      "process-test-resources", "test-compile", "process-test-classes", "test", "prepare-package", "package", "pre-integration-test",
      "integration-test", "post-integration-test", "verify", "install", "deploy");
  static final List<String> CLEAN_PHASES = List.of("pre-clean", "clean", "post-clean");

  /** groupId:artifactId → Maven 3.8's default version. */
  static final Map<String, String> DEFAULT_VERSIONS = Map.ofEntries(
      Map.entry("org.apache.maven.plugins:maven-clean-plugin", "2.5"),
      Map.entry("org.apache.maven.plugins:maven-resources-plugin", "2.6"),
      Map.entry("org.apache.maven.plugins:maven-compiler-plugin", "3.1"),
      Map.entry("org.apache.maven.plugins:maven-surefire-plugin", "2.12.4"),
      Map.entry("org.apache.maven.plugins:maven-jar-plugin", "2.4"),
      Map.entry("org.apache.maven.plugins:maven-war-plugin", "2.2"),
      Map.entry("org.apache.maven.plugins:maven-ejb-plugin", "2.3"),
      Map.entry("org.apache.maven.plugins:maven-ear-plugin", "2.8"),
      Map.entry("org.apache.maven.plugins:maven-rar-plugin", "2.2"),
      Map.entry("org.apache.maven.plugins:maven-plugin-plugin", "3.2"),
      Map.entry("org.apache.maven.plugins:maven-install-plugin", "2.4"),
      Map.entry("org.apache.maven.plugins:maven-deploy-plugin", "2.7"));

  private static final String P = "org.apache.maven.plugins:maven-";
  private static final Map<String, List<String>> JAR_LIKE = bindings(
      "process-resources", "resources", "compile", "compiler", "process-test-resources", "resources", "test-compile", "compiler", "test", "surefire");
  private static final Map<String, Map<String, List<String>>> BY_PACKAGING = Map.of(
      "pom", installed(bindings()),
      "jar", installed(with(JAR_LIKE, "package", "jar")),
      "ejb", installed(with(JAR_LIKE, "package", "ejb")),
      "war", installed(with(JAR_LIKE, "package", "war")),
      "rar", installed(with(JAR_LIKE, "package", "rar")),
      // maven-plugin packaging binds the plugin plugin at process-classes and at package (with the jar plugin)
      "maven-plugin", installed(with(with(JAR_LIKE, "process-classes", "plugin"), "package", "jar", "plugin")),
      "ear", installed(with(bindings("generate-resources", "ear", "process-resources", "resources"), "package", "ear")));

  private LifecyclePlugins() {}

  /** Checks the spec's phases: each must be a phase of the default or clean lifecycle. */
  static void checkPhases(List<String> phases, String where) {
    for (String phase : phases) {
      if (!DEFAULT_PHASES.contains(phase) && !CLEAN_PHASES.contains(phase)) {
        throw new UsageException(where + ": phases: '" + phase + "' is not a phase of Maven's default or clean lifecycle");
      }
    }
  }

  /**
   * groupId:artifactId of the plugins the packaging binds up to the given phases; unknown
   * packagings (custom ones from build extensions) bind none here.
   */
  static Set<String> bound(String packaging, List<String> phases) {
    int last = -1;
    boolean clean = false;
    for (String phase : phases) {
      last = Math.max(last, DEFAULT_PHASES.indexOf(phase));
      clean |= CLEAN_PHASES.contains(phase);
    }
    Set<String> plugins = new LinkedHashSet<>();
    if (clean) plugins.add(P + "clean-plugin");
    Map<String, List<String>> bindings = BY_PACKAGING.getOrDefault(packaging, Map.of());
    for (int i = 0; i <= last; i++) plugins.addAll(bindings.getOrDefault(DEFAULT_PHASES.get(i), List.of()));
    return plugins;
  }

  private static Map<String, List<String>> bindings(String... phaseAndName) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < phaseAndName.length; i += 2) m.put(phaseAndName[i], List.of(P + phaseAndName[i + 1] + "-plugin"));
    return m;
  }

  private static Map<String, List<String>> with(Map<String, List<String>> base, String phase, String... names) {
    Map<String, List<String>> m = new LinkedHashMap<>(base);
    m.put(phase, java.util.Arrays.stream(names).map(n -> P + n + "-plugin").toList());
    return m;
  }

  private static Map<String, List<String>> installed(Map<String, List<String>> base) {
    return with(with(base, "install", "install"), "deploy", "deploy");
  }
}

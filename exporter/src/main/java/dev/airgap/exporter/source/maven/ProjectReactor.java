package dev.airgap.exporter.source.maven;

import dev.airgap.core.Trace;
import dev.airgap.core.error.UsageException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.maven.model.Model;
import org.apache.maven.model.Parent;
import org.apache.maven.model.Plugin;
import org.apache.maven.model.Repository;
import org.apache.maven.model.building.DefaultModelBuilderFactory;
import org.apache.maven.model.building.DefaultModelBuildingRequest;
import org.apache.maven.model.building.FileModelSource;
import org.apache.maven.model.building.ModelBuilder;
import org.apache.maven.model.building.ModelBuildingException;
import org.apache.maven.model.building.ModelBuildingRequest;
import org.apache.maven.model.building.ModelSource;
import org.apache.maven.model.resolution.ModelResolver;
import org.eclipse.aether.artifact.ArtifactType;
import org.eclipse.aether.artifact.ArtifactTypeRegistry;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.artifact.DefaultArtifactType;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.graph.Exclusion;
import org.eclipse.aether.util.artifact.JavaScopes;

/**
 * The modules of a Maven project (its {@code pom.xml} and the modules it lists, recursively) as
 * effective models built with maven-model-builder, with parents and imported BOMs resolved from the
 * upstream; and what building them needs: dependencies of every scope and the build plugins
 * (declared ones, and the packaging's lifecycle plugins up to the spec's phases) with their
 * dependencies, and build extensions.
 */
final class ProjectReactor {
  private final MavenResolver resolver;
  private final String where;
  private final ModelBuilder builder = new DefaultModelBuilderFactory().newInstance();
  private final Map<Path, Model> modules = new LinkedHashMap<>();

  private ProjectReactor(MavenResolver resolver, String where) {
    this.resolver = resolver;
    this.where = where;
  }

  /** Reads the reactor headed by {@code pom} (a file, or a directory holding {@code pom.xml}). */
  static ProjectReactor read(MavenResolver resolver, Path pom, String where) {
    ProjectReactor reactor = new ProjectReactor(resolver, where);
    reactor.add(pom);
    return reactor;
  }

  private void add(Path pomOrDir) {
    Path pom = Files.isDirectory(pomOrDir) ? pomOrDir.resolve("pom.xml") : pomOrDir;
    pom = pom.toAbsolutePath().normalize();
    if (modules.containsKey(pom)) return;
    if (!Files.isRegularFile(pom)) throw new UsageException(where + ": project POM " + pom + " does not exist");
    Model model = effectiveModel(pom);
    modules.put(pom, model);
    for (String module : model.getModules()) add(pom.getParent().resolve(module));
  }

  private Model effectiveModel(Path pom) {
    DefaultModelBuildingRequest request = new DefaultModelBuildingRequest();
    request.setPomFile(pom.toFile());
    request.setValidationLevel(ModelBuildingRequest.VALIDATION_LEVEL_MAVEN_3_0);
    request.setProcessPlugins(true);
    request.setTwoPhaseBuilding(false);
    Properties system = new Properties();
    system.putAll(System.getProperties());
    request.setSystemProperties(system);
    request.setModelResolver(new UpstreamModelResolver());
    try {
      return builder.build(request).getEffectiveModel();
    } catch (ModelBuildingException e) {
      throw MavenResolver.failure(where + ": " + pom, e);
    }
  }

  /** Resolves everything the reactor needs; the resolver records each file. */
  void resolve(List<String> phases) {
    Set<String> reactor = new LinkedHashSet<>();
    for (Model m : modules.values()) reactor.add(m.getGroupId() + ":" + m.getArtifactId() + ":" + m.getVersion());
    ArtifactTypeRegistry types = resolver.session().getArtifactTypeRegistry();
    Set<String> pluginsDone = new LinkedHashSet<>();
    for (Map.Entry<Path, Model> e : modules.entrySet()) {
      Model m = e.getValue();
      String moduleWhere = where + ": " + m.getGroupId() + ":" + m.getArtifactId() + ":" + m.getVersion();
      List<Dependency> dependencies = new ArrayList<>();
      for (org.apache.maven.model.Dependency d : m.getDependencies()) {
        if (JavaScopes.SYSTEM.equals(d.getScope()) || reactor.contains(d.getGroupId() + ":" + d.getArtifactId() + ":" + d.getVersion())) continue;
        dependencies.add(dependency(d, types));
      }
      List<Dependency> managed = new ArrayList<>();
      if (m.getDependencyManagement() != null) {
        for (org.apache.maven.model.Dependency d : m.getDependencyManagement().getDependencies()) managed.add(dependency(d, types));
      }
      resolver.projectDependencies(new DefaultArtifact(m.getGroupId(), m.getArtifactId(), "", "pom", m.getVersion()), dependencies, managed, moduleWhere);
      Trace.mark("maven: dependencies of " + m.getArtifactId());
      for (PluginUse p : plugins(m, phases, moduleWhere)) {
        if (pluginsDone.add(p.toString())) {
          resolver.plugin(new DefaultArtifact(p.groupId(), p.artifactId(), "jar", p.version()), dependencies(p.dependencies(), types), moduleWhere);
          Trace.mark("maven: plugin " + p.artifactId());
        }
      }
    }
  }

  /** A plugin or build extension as the build will load it. */
  record PluginUse(String groupId, String artifactId, String version, List<org.apache.maven.model.Dependency> dependencies) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(groupId + ":" + artifactId + ":" + version);
      for (org.apache.maven.model.Dependency d : dependencies) b.append(' ').append(d.getManagementKey()).append(':').append(d.getVersion());
      return b.toString();
    }
  }

  /** Declared plugins, the packaging's lifecycle plugins up to {@code phases}, and build extensions. */
  private List<PluginUse> plugins(Model m, List<String> phases, String moduleWhere) {
    Map<String, Plugin> declared = new LinkedHashMap<>();
    Map<String, Plugin> managed = new LinkedHashMap<>();
    List<PluginUse> uses = new ArrayList<>();
    if (m.getBuild() != null) {
      for (Plugin p : m.getBuild().getPlugins()) declared.put(p.getKey(), p);
      if (m.getBuild().getPluginManagement() != null) {
        for (Plugin p : m.getBuild().getPluginManagement().getPlugins()) managed.put(p.getKey(), p);
      }
      for (org.apache.maven.model.Extension x : m.getBuild().getExtensions()) {
        String version = x.getVersion() != null ? x.getVersion() : resolver.newestRelease(x.getGroupId(), x.getArtifactId(), moduleWhere);
        uses.add(new PluginUse(x.getGroupId(), x.getArtifactId(), version, List.of()));
      }
    }
    for (String key : LifecyclePlugins.bound(m.getPackaging(), phases)) {
      if (declared.containsKey(key)) continue;
      Plugin p = managed.get(key);
      String version = p != null && p.getVersion() != null ? p.getVersion() : LifecyclePlugins.DEFAULT_VERSIONS.get(key);
      String[] ga = key.split(":");
      uses.add(new PluginUse(ga[0], ga[1], version, p == null ? List.of() : p.getDependencies()));
    }
    for (Plugin p : declared.values()) {
      String version = p.getVersion();
      if (version == null && LifecyclePlugins.bound(m.getPackaging(), phases).contains(p.getKey())) version = LifecyclePlugins.DEFAULT_VERSIONS.get(p.getKey());
      if (version == null) version = resolver.newestRelease(p.getGroupId(), p.getArtifactId(), moduleWhere);
      uses.add(new PluginUse(p.getGroupId(), p.getArtifactId(), version, p.getDependencies()));
    }
    return uses;
  }

  private static List<Dependency> dependencies(List<org.apache.maven.model.Dependency> ds, ArtifactTypeRegistry types) {
    List<Dependency> out = new ArrayList<>();
    for (org.apache.maven.model.Dependency d : ds) out.add(dependency(d, types));
    return out;
  }

  /** A POM dependency as a resolver dependency (type → extension and classifier, as Maven maps them). */
  static Dependency dependency(org.apache.maven.model.Dependency d, ArtifactTypeRegistry types) {
    ArtifactType type = types.get(d.getType());
    if (type == null) type = new DefaultArtifactType(d.getType());
    String classifier = d.getClassifier() == null || d.getClassifier().isEmpty() ? null : d.getClassifier();
    org.eclipse.aether.artifact.Artifact artifact = new DefaultArtifact(d.getGroupId(), d.getArtifactId(), classifier, null, d.getVersion(), null, type);
    List<Exclusion> exclusions = new ArrayList<>();
    for (org.apache.maven.model.Exclusion x : d.getExclusions()) exclusions.add(new Exclusion(x.getGroupId(), x.getArtifactId(), "*", "*"));
    return new Dependency(artifact, d.getScope(), d.getOptional() != null ? d.isOptional() : null, exclusions);
  }

  /**
   * Parents and imported BOMs come from the spec's repositories; POM-declared repositories are
   * ignored. (ModelSource is deprecated in Maven 3.9 but is what the ModelResolver interface returns.)
   */
  @SuppressWarnings("deprecation")
  private final class UpstreamModelResolver implements ModelResolver {
    @Override
    public ModelSource resolveModel(String groupId, String artifactId, String version) {
      File pom = resolver.pom(groupId, artifactId, version, where);
      return new FileModelSource(pom);
    }

    @Override
    public ModelSource resolveModel(Parent parent) {
      return resolveModel(parent.getGroupId(), parent.getArtifactId(), parent.getVersion());
    }

    @Override
    public ModelSource resolveModel(org.apache.maven.model.Dependency dependency) {
      return resolveModel(dependency.getGroupId(), dependency.getArtifactId(), dependency.getVersion());
    }

    @Override
    public void addRepository(Repository repository) {}

    @Override
    public void addRepository(Repository repository, boolean replace) {}

    @Override
    public ModelResolver newCopy() {
      return this;
    }
  }
}

package dev.airgap.exporter.source.maven;

import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.maven.model.building.ModelBuildingException;
import org.apache.maven.model.building.ModelProblem;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.AbstractRepositoryListener;
import org.eclipse.aether.DefaultRepositoryCache;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositoryEvent;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResult;
import org.eclipse.aether.resolution.VersionRangeRequest;
import org.eclipse.aether.resolution.VersionRangeResult;
import org.eclipse.aether.spi.connector.checksum.ChecksumPolicyProvider;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.eclipse.aether.transfer.ArtifactTransferException;
import org.eclipse.aether.transfer.ChecksumFailureException;
import org.eclipse.aether.util.filter.ScopeDependencyFilter;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.version.Version;

/**
 * Apache Maven Resolver set up the way Maven itself resolves: Maven's dependency selection and
 * mediation, the spec's repositories only (repositories declared in POMs are ignored), releases
 * only, checksums verified where the upstream has them. Everything lands in a private local
 * repository; every artifact resolved on the way (POMs read for the dependency graph, parents and
 * imported BOMs included) is recorded, because the enclave's Maven will ask for exactly those.
 */
final class MavenResolver implements AutoCloseable {
  /** Checksums verified when the upstream publishes them, strongest first. */
  static final String CHECKSUM_ALGORITHMS = "SHA-256,SHA-1";
  /** Requests in flight to the upstream at once (per collection and per batch of downloads). */
  static final int PARALLEL_DOWNLOADS = 8;
  /** The session-cache key of maven-resolver-transport-http's shared state (its connection pools). */
  private static final String HTTP_TRANSPORT_STATE = "org.eclipse.aether.transport.http.GlobalState";

  private final RepositorySystem system;
  private final DefaultRepositorySystemSession session;
  private final List<RemoteRepository> repositories;
  private final Map<String, Resolved> resolved = new ConcurrentHashMap<>();

  /** One resolved file: coordinates (the baseVersion) and where the resolver put it. */
  record Resolved(String groupId, String artifactId, String version, String classifier, String extension, File file) {
    String key() {
      return groupId + ":" + artifactId + ":" + extension + ":" + classifier + ":" + version;
    }
  }

  MavenResolver(List<RemoteRepository> repositories, File localRepository) {
    this.system = new RepositorySystemSupplier() {
      @Override
      protected ChecksumPolicyProvider getChecksumPolicyProvider() {
        return new PresentChecksumsPolicy();
      }
    }.get();
    this.repositories = List.copyOf(repositories);
    DefaultRepositorySystemSession s = MavenRepositorySystemUtils.newSession();
    s.setLocalRepositoryManager(system.newLocalRepositoryManager(s, new LocalRepository(localRepository, "simple")));
    s.setChecksumPolicy(RepositoryPolicy.CHECKSUM_POLICY_FAIL);
    s.setUpdatePolicy(RepositoryPolicy.UPDATE_POLICY_NEVER);
    s.setIgnoreArtifactDescriptorRepositories(true);
    s.setConfigProperty("aether.checksums.algorithms", CHECKSUM_ALGORITHMS);
    // A session cache, as Maven's own sessions have: without it every download opened a connection
    // pool of its own (one TCP connection per file, never reused), and every collection (the
    // project's, each plugin's) re-read and re-built every POM and parent it met.
    s.setCache(new DefaultRepositoryCache());
    // Descriptors (POMs) read on PARALLEL_DOWNLOADS threads: the breadth-first collector fetches
    // the next level's POMs while it processes the current one. Without its skipper it visits
    // exactly the nodes the depth-first collector (Maven 3.8's) visits, so the enclave's Maven
    // reads no POM that was not exported.
    s.setConfigProperty("aether.dependencyCollector.impl", "bf");
    s.setConfigProperty("aether.dependencyCollector.bf.skipper", false);
    s.setConfigProperty("aether.dependencyCollector.bf.threads", PARALLEL_DOWNLOADS);
    // Resolution of a collected graph downloads its files on this many threads.
    s.setConfigProperty("aether.connector.basic.threads", PARALLEL_DOWNLOADS);
    // A stalled upstream fails the export instead of holding it for the resolver's default 30 min
    // (requestTimeout is the transport's socket read timeout: no byte for this long); as pypi and oci.
    s.setConfigProperty("aether.connector.connectTimeout", 30_000);
    s.setConfigProperty("aether.connector.requestTimeout", 120_000);
    // Profiles of dependency POMs activate as on this machine (JDK, OS, system properties).
    s.setSystemProperties(System.getProperties());
    s.setRepositoryListener(new AbstractRepositoryListener() {
      @Override
      public void artifactResolved(RepositoryEvent event) {
        Artifact a = event.getArtifact();
        File file = a == null ? null : a.getFile() != null ? a.getFile() : event.getFile();
        if (event.getException() == null && file != null && file.isFile()) {
          Resolved r = new Resolved(a.getGroupId(), a.getArtifactId(), a.getBaseVersion(), a.getClassifier(), a.getExtension(), file);
          resolved.putIfAbsent(r.key(), r);
        }
      }
    });
    this.session = s;
  }

  /** A remote repository from the spec: releases only, checksums verified. */
  static RemoteRepository repository(String id, String url) {
    return new RemoteRepository.Builder(id, "default", url)
        .setReleasePolicy(new RepositoryPolicy(true, RepositoryPolicy.UPDATE_POLICY_NEVER, RepositoryPolicy.CHECKSUM_POLICY_FAIL))
        .setSnapshotPolicy(new RepositoryPolicy(false, RepositoryPolicy.UPDATE_POLICY_NEVER, RepositoryPolicy.CHECKSUM_POLICY_FAIL))
        .build();
  }

  DefaultRepositorySystemSession session() {
    return session;
  }

  /** Every file resolved so far, sorted by coordinates. */
  List<Resolved> resolvedFiles() {
    return new ArrayList<>(new TreeMap<>(resolved).values());
  }

  /** One artifact, with its compile and runtime dependencies when {@code transitive}. */
  void artifact(Artifact artifact, boolean transitive, String where) {
    try {
      if (!transitive) {
        system.resolveArtifact(session, new ArtifactRequest(artifact, repositories, null));
        // its POM too: clients read it before the jar
        system.resolveArtifact(session, new ArtifactRequest(new DefaultArtifact(artifact.getGroupId(), artifact.getArtifactId(), "", "pom", artifact.getVersion()), repositories, null));
        return;
      }
      // As a dependency of an anonymous project, the way a build or a plugin asks for it: the
      // artifact's own dependencyManagement does not apply to its dependencies.
      CollectRequest collect = new CollectRequest(List.of(new Dependency(artifact, JavaScopes.COMPILE)), List.of(), repositories);
      system.resolveDependencies(session, new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME)));
    } catch (Exception e) {
      throw failure(where + ": " + artifact, e);
    }
  }

  /**
   * A project module's dependencies of every scope (compile, provided, runtime, test), with their
   * transitive dependencies as Maven selects them, under the module's dependency management.
   */
  void projectDependencies(Artifact project, List<Dependency> dependencies, List<Dependency> managed, String where) {
    CollectRequest collect = new CollectRequest();
    collect.setRootArtifact(project);
    collect.setDependencies(dependencies);
    collect.setManagedDependencies(managed);
    collect.setRepositories(repositories);
    try {
      system.resolveDependencies(session, new DependencyRequest(collect, null));
    } catch (Exception e) {
      throw failure(where, e);
    }
  }

  /**
   * A build plugin as Maven loads it (DefaultPluginDependenciesResolver): the plugin with its
   * dependencies and the POM's extra plugin dependencies, minus provided and test scope. Maven 3.8
   * adds plexus-utils 1.1 to a plugin that has none, so that comes along too.
   */
  void plugin(Artifact plugin, List<Dependency> extraDependencies, String where) {
    CollectRequest collect = new CollectRequest();
    collect.setRoot(new Dependency(plugin, null));
    for (Dependency d : extraDependencies) collect.addDependency(JavaScopes.SYSTEM.equals(d.getScope()) ? d : d.setScope(JavaScopes.RUNTIME));
    collect.setRepositories(repositories);
    try {
      DependencyResult result = system.resolveDependencies(session, new DependencyRequest(collect, new ScopeDependencyFilter(JavaScopes.PROVIDED, JavaScopes.TEST)));
      boolean hasPlexusUtils = false;
      for (ArtifactResult r : result.getArtifactResults()) {
        Artifact a = r.getArtifact();
        hasPlexusUtils |= a != null && a.getGroupId().equals("org.codehaus.plexus") && a.getArtifactId().equals("plexus-utils");
      }
      if (!hasPlexusUtils) maven38PlexusUtils(where);
    } catch (AirgapException e) {
      throw e;
    } catch (Exception e) {
      throw failure(where + ": plugin " + plugin, e);
    }
  }

  /**
   * Maven 3.8 puts plexus-utils 1.1 (the jar only, no POM) on the class path of a plugin that has
   * no plexus-utils; Maven 3.9 and later do not. Carried when the upstream has it, skipped when it
   * does not (only a Maven 3.8 enclave would miss it); a checksum mismatch still fails.
   */
  private void maven38PlexusUtils(String where) {
    try {
      system.resolveArtifact(session, new ArtifactRequest(new DefaultArtifact("org.codehaus.plexus", "plexus-utils", "jar", "1.1"), repositories, null));
    } catch (Exception e) {
      AirgapException failure = failure(where + ": org.codehaus.plexus:plexus-utils:1.1", e);
      if (!(failure instanceof UsageException)) throw failure;
    }
  }

  /** The newest release of an artifact upstream (Maven's choice for a plugin without a version). */
  String newestRelease(String groupId, String artifactId, String where) {
    try {
      VersionRangeResult range = system.resolveVersionRange(session,
          new VersionRangeRequest(new DefaultArtifact(groupId, artifactId, "jar", "[0,)"), repositories, null));
      List<Version> versions = new ArrayList<>(range.getVersions());
      Collections.reverse(versions);
      for (Version v : versions) if (!v.toString().endsWith("-SNAPSHOT")) return v.toString();
      throw new UsageException(where + ": no release of " + groupId + ":" + artifactId + " found upstream; pin its version");
    } catch (AirgapException e) {
      throw e;
    } catch (Exception e) {
      throw failure(where + ": " + groupId + ":" + artifactId, e);
    }
  }

  /** A POM (for model building: parents and imported BOMs); recorded like everything else. */
  File pom(String groupId, String artifactId, String version, String where) {
    try {
      return system.resolveArtifact(session, new ArtifactRequest(new DefaultArtifact(groupId, artifactId, "", "pom", version), repositories, null))
          .getArtifact().getFile();
    } catch (Exception e) {
      throw failure(where + ": " + groupId + ":" + artifactId + ":pom:" + version, e);
    }
  }

  /**
   * The airgap error for a resolution failure: a checksum mismatch is an integrity failure (exit
   * 3), a missing artifact a usage error (the spec names something the upstream does not have),
   * anything else (network, I/O) an environment failure.
   */
  static AirgapException failure(String where, Throwable e) {
    List<Throwable> all = causes(e);
    for (Throwable t : all) if (t instanceof AirgapException ae) return ae;
    for (Throwable t : all) {
      if (t instanceof ChecksumFailureException) {
        String artifact = all.stream().filter(x -> x instanceof ArtifactTransferException).map(x -> describe((ArtifactTransferException) x)).findFirst().orElse("");
        return new IntegrityException(where + ": upstream checksum mismatch" + artifact + ": " + oneLine(t.getMessage()), e);
      }
    }
    for (Throwable t : all) {
      if (t instanceof ArtifactNotFoundException nf) return new UsageException(where + ": not found upstream: " + oneLine(nf.getMessage()), e);
    }
    for (Throwable t : all) {
      if (t instanceof ModelBuildingException mb) return new UsageException(where + ": " + problems(mb), e);
    }
    return new EnvironmentException(where + ": " + oneLine(deepest(all).getMessage()), e);
  }

  private static String describe(ArtifactTransferException e) {
    return e.getArtifact() == null ? "" : " for " + e.getArtifact() + (e.getRepository() == null ? "" : " from " + e.getRepository().getUrl());
  }

  private static String problems(ModelBuildingException e) {
    List<String> messages = new ArrayList<>();
    for (ModelProblem p : e.getProblems()) {
      if (p.getSeverity() != ModelProblem.Severity.WARNING) messages.add(p.getMessage() + (p.getModelId().isEmpty() ? "" : " (" + p.getModelId() + ")"));
    }
    return oneLine(String.join("; ", messages));
  }

  /** The exception, its causes, suppressed exceptions and the per-artifact exceptions resolver results carry. */
  private static List<Throwable> causes(Throwable root) {
    List<Throwable> out = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> todo = new ArrayDeque<>(List.of(root));
    while (!todo.isEmpty()) {
      Throwable t = todo.removeFirst();
      if (!seen.add(t)) continue;
      out.add(t);
      List<Throwable> next = new ArrayList<>();
      next.add(t.getCause());
      next.addAll(List.of(t.getSuppressed()));
      if (t instanceof ArtifactResolutionException are) {
        for (ArtifactResult r : are.getResults()) next.addAll(r.getExceptions());
      }
      if (t instanceof ModelBuildingException mb) {
        for (ModelProblem p : mb.getProblems()) next.add(p.getException());
      }
      for (Throwable n : next) if (n != null) todo.add(n);
    }
    return out;
  }

  private static Throwable deepest(List<Throwable> all) {
    Throwable t = all.get(0);
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t;
  }

  static String oneLine(String s) {
    if (s == null) return "";
    String line = s.replaceAll("\\s*[\\r\\n]+\\s*", "; ").strip();
    return line.length() > 600 ? line.substring(0, 600) + "..." : line;
  }

  @Override
  public void close() {
    // The HTTP transport keeps its connection pools in the session cache: close their idle connections.
    if (session.getCache().get(session, HTTP_TRANSPORT_STATE) instanceof Closeable pools) {
      try {
        pools.close();
      } catch (IOException | RuntimeException e) {
        // idle connections only; the process or the next export does not depend on them
      }
    }
    system.shutdown();
  }
}

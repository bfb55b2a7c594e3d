package dev.airgap.exporter.source.maven;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.HashingCopy;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.Trace;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.exporter.source.ArtifactSource;
import dev.airgap.exporter.source.CollectedArtifact;
import dev.airgap.exporter.source.ExportContext;
import dev.airgap.exporter.source.MediaTypes;
import dev.airgap.exporter.source.SpecNodes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;

/**
 * {@code type: maven}: artifacts from Maven repositories named in the spec, resolved with Apache
 * Maven Resolver: listed coordinates with their dependencies, build plugins, and everything a
 * project ({@code project: pom.xml}) needs to build. One airgap artifact per
 * {@code groupId:artifactId:version} carries its POM and every file of it that was resolved (jar,
 * classifiers), at logical paths {@code maven2/<repository path>}; the mirror serves them at
 * {@code /maven2/<repository path>}. See docs/maven.md.
 */
public final class MavenSource implements ArtifactSource {
  public static final String TYPE = "maven";
  private static final Pattern REPOSITORY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Map<String, String> MEDIA_TYPES = Map.of(
      "jar", "application/java-archive",
      "war", "application/java-archive",
      "ear", "application/java-archive",
      "rar", "application/java-archive",
      "pom", "application/xml",
      "module", "application/json");

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public List<CollectedArtifact> collect(JsonNode node, String where, ExportContext context) {
    MavenEntry entry = SpecNodes.parse(node, where, MavenEntry.class);
    List<RemoteRepository> repositories = repositories(entry, where);
    List<DefaultArtifact> coordinates = new ArrayList<>();
    for (String c : entry.artifacts()) coordinates.add(coordinates(c, where + ": artifacts", false));
    List<DefaultArtifact> plugins = new ArrayList<>();
    for (String c : entry.plugins()) plugins.add(coordinates(c, where + ": plugins", true));
    LifecyclePlugins.checkPhases(entry.phases(), where);
    Path project = entry.project() == null ? null : context.baseDir().resolve(entry.project()).normalize();
    if (coordinates.isEmpty() && plugins.isEmpty() && project == null) throw new UsageException(where + ": give artifacts, plugins or project");

    Path localRepository;
    try {
      localRepository = Files.createTempDirectory(context.workDir(), "maven-");
    } catch (IOException e) {
      throw EnvironmentException.io(context.workDir(), e);
    }
    List<MavenResolver.Resolved> files;
    try (MavenResolver resolver = new MavenResolver(repositories, localRepository.toFile())) {
      for (DefaultArtifact a : coordinates) resolver.artifact(a, entry.isTransitive(), where);
      for (DefaultArtifact p : plugins) resolver.plugin(p, List.of(), where);
      Trace.mark("maven: artifacts and plugins");
      if (project != null) {
        ProjectReactor reactor = ProjectReactor.read(resolver, project, where);
        Trace.mark("maven: project models");
        reactor.resolve(entry.phases());
        Trace.mark("maven: project needs");
      }
      files = resolver.resolvedFiles();
    }
    return bundle(files, where, context);
  }

  private static List<RemoteRepository> repositories(MavenEntry entry, String where) {
    if (entry.repositories().isEmpty()) throw new UsageException(where + ": repositories: at least one is needed");
    List<RemoteRepository> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (MavenEntry.Repository r : entry.repositories()) {
      if (r == null || r.id() == null || !REPOSITORY_ID.matcher(r.id()).matches()) throw new UsageException(where + ": repositories: id must match " + REPOSITORY_ID.pattern());
      if (!ids.add(r.id())) throw new UsageException(where + ": repositories: duplicate id '" + r.id() + "'");
      URI uri;
      try {
        uri = new URI(r.url());
      } catch (Exception e) {
        throw new UsageException(where + ": repositories: '" + r.id() + "': url is not a URL: " + r.url());
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("file")) {
        throw new UsageException(where + ": repositories: '" + r.id() + "': url must be http://, https:// or file://, got " + r.url());
      }
      if (uri.getRawUserInfo() != null) throw new UsageException(where + ": repositories: '" + r.id() + "': credentials in the URL are not supported");
      out.add(MavenResolver.repository(r.id(), r.url()));
    }
    return out;
  }

  /** {@code groupId:artifactId[:extension[:classifier]]:version}; releases only. */
  private static DefaultArtifact coordinates(String text, String where, boolean plugin) {
    DefaultArtifact a;
    try {
      a = new DefaultArtifact(text == null ? "" : text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(where + ": '" + text + "' is not groupId:artifactId[:extension[:classifier]]:version");
    }
    if (plugin && (!a.getExtension().equals("jar") || !a.getClassifier().isEmpty())) throw new UsageException(where + ": '" + text + "': a plugin is groupId:artifactId:version");
    if (a.isSnapshot()) throw new UsageException(where + ": '" + text + "': SNAPSHOT versions are not exported (releases only)");
    if (a.getVersion().startsWith("[") || a.getVersion().startsWith("(")) throw new UsageException(where + ": '" + text + "': give an exact version, not a range");
    return a;
  }

  /** Groups the resolved files by groupId:artifactId:version and hashes them (in parallel). */
  private static List<CollectedArtifact> bundle(List<MavenResolver.Resolved> files, String where, ExportContext context) {
    Map<String, List<MavenResolver.Resolved>> byGav = new TreeMap<>();
    for (MavenResolver.Resolved r : files) {
      if (r.version().endsWith("-SNAPSHOT")) throw new UsageException(where + ": " + r.key() + " is a SNAPSHOT; only releases are exported");
      byGav.computeIfAbsent(r.groupId() + ":" + r.artifactId() + ":" + r.version(), k -> new ArrayList<>()).add(r);
    }
    Map<String, Future<HashingCopy.Result>> hashes = new LinkedHashMap<>();
    for (MavenResolver.Resolved r : files) {
      hashes.put(r.key(), context.hashPool().submit(() -> {
        try (InputStream in = Files.newInputStream(r.file().toPath())) {
          return HashingCopy.hash(in, r.file().length());
        }
      }));
    }
    PomFacts facts = new PomFacts(files);
    List<CollectedArtifact> out = new ArrayList<>();
    for (List<MavenResolver.Resolved> group : byGav.values()) {
      MavenResolver.Resolved first = group.get(0);
      List<ArtifactFile> artifactFiles = new ArrayList<>();
      List<BlobSource> blobs = new ArrayList<>();
      for (MavenResolver.Resolved r : group) {
        HashingCopy.Result h = join(hashes.get(r.key()), r, where);
        LogicalPath path = LogicalPath.parse(where, logicalPath(r));
        artifactFiles.add(new ArtifactFile(path, h.size(), h.digest(), MEDIA_TYPES.getOrDefault(r.extension(), MediaTypes.forName(r.file().getName()))));
        blobs.add(BlobSource.ofFile(r.file().toPath(), h.digest(), h.size()));
      }
      Map<String, String> properties = facts.of(first.groupId(), first.artifactId(), first.version());
      String purl = "pkg:maven/" + first.groupId() + "/" + first.artifactId() + "@" + first.version()
          + ("pom".equals(properties.get("packaging")) ? "?type=pom" : "");
      Artifact artifact = new Artifact(TYPE, first.groupId() + ":" + first.artifactId(), first.version(), purl, properties, artifactFiles);
      out.add(new CollectedArtifact(artifact, blobs));
    }
    return out;
  }

  /** {@code maven2/org/example/lib/1.0/lib-1.0[-classifier].ext}. */
  static String logicalPath(MavenResolver.Resolved r) {
    String name = r.artifactId() + "-" + r.version() + (r.classifier().isEmpty() ? "" : "-" + r.classifier()) + "." + r.extension();
    return "maven2/" + r.groupId().replace('.', '/') + "/" + r.artifactId() + "/" + r.version() + "/" + name;
  }

  private static HashingCopy.Result join(Future<HashingCopy.Result> f, MavenResolver.Resolved r, String where) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EnvironmentException(where + ": interrupted while hashing " + r.file());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AirgapException ae) throw ae;
      if (e.getCause() instanceof IOException io) throw EnvironmentException.io(r.file(), io);
      throw new EnvironmentException(where + ": hashing " + r.file() + " failed: " + e.getCause(), e.getCause());
    }
  }
}

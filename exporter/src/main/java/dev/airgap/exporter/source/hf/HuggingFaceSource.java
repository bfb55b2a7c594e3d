package dev.airgap.exporter.source.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.PickleFiles;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.mirror.hf.GitOids;
import dev.airgap.core.mirror.hf.HfIndex;
import dev.airgap.exporter.source.ArtifactSource;
import dev.airgap.exporter.source.CollectedArtifact;
import dev.airgap.exporter.source.ExportContext;
import dev.airgap.exporter.source.MediaTypes;
import dev.airgap.exporter.source.Purls;
import dev.airgap.exporter.source.SpecNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code type: huggingface} — model and dataset repositories pinned to a commit, from a
 * Hub-compatible endpoint or from a Hugging Face cache / snapshot directory (docs/hf.md). Each
 * (repository, commit) becomes one artifact of type {@code huggingface} (models) or
 * {@code huggingface-dataset}, with purl {@code pkg:huggingface/ORG/NAME@COMMIT}, files at
 * {@code ORG/NAME/COMMIT/<path>}, and properties the mirror and reviewers need: kind, repo,
 * commit, revisions, which files are LFS, weight formats, pickle files, and the card's license
 * and base model. Served in the enclave under {@code /hf/}.
 */
public final class HuggingFaceSource implements ArtifactSource {
  public static final String TYPE = "huggingface";
  public static final String DATASET_TYPE = "huggingface-dataset";
  private static final Set<String> WEIGHT_EXTENSIONS = Set.of("safetensors", "gguf", "onnx", "h5", "msgpack", "tflite", "bin", "pt", "pth", "pkl", "pickle", "ckpt");
  private static final AtomicInteger DOWNLOADS = new AtomicInteger();

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public List<CollectedArtifact> collect(JsonNode node, String where, ExportContext context) {
    HfSpecEntry e = SpecNodes.parse(node, where, HfSpecEntry.class);
    if ((e.endpoint() == null) == (e.path() == null)) throw new UsageException(where + ": give either 'endpoint' or 'path'");
    return e.endpoint() != null ? remote(e, where, context) : local(e, where, context);
  }

  // ---- remote -------------------------------------------------------------------------------

  private List<CollectedArtifact> remote(HfSpecEntry e, String where, ExportContext context) {
    if (e.repos() == null || e.repos().isEmpty()) throw new UsageException(where + ": 'repos' must list at least one repository");
    if (e.repo() != null || e.commit() != null || e.kind() != null || e.revision() != null) {
      throw new UsageException(where + ": with 'endpoint', name repositories under 'repos' (id, kind, revision)");
    }
    HubClient hub = new HubClient(e.endpoint(), token(e, where, context), timeouts(e, where));
    List<CollectedArtifact> out = new ArrayList<>();
    for (int i = 0; i < e.repos().size(); i++) {
      HfSpecEntry.RepoSpec r = e.repos().get(i);
      String rwhere = where + ".repos[" + i + "]";
      String kind = kind(r.kind(), rwhere);
      String repo = repoId(r.id(), rwhere);
      String revision = r.revision() != null ? r.revision() : "main";
      Globs globs = new Globs(r.include() != null ? r.include() : e.include(), r.exclude() != null ? r.exclude() : e.exclude());
      JsonNode info = hub.revisionInfo(kind, repo, revision);
      String commit = info.path("sha").asText("");
      if (!GitOids.OID.matcher(commit).matches()) throw IntegrityException.malformed(hub.endpoint() + " " + repo + "@" + revision, "no 40-hex commit 'sha' in the revision info");
      List<HubClient.TreeFile> tree = hub.tree(kind, repo, commit).stream().filter(f -> globs.accepts(f.path())).toList();
      if (tree.isEmpty()) throw new UsageException(rwhere + ": no file of " + repo + "@" + commit + " matches the include/exclude patterns");
      List<Future<RepoFile>> futures = new ArrayList<>();
      for (HubClient.TreeFile f : tree) {
        LogicalPath.parse(rwhere, repo + "/" + commit + "/" + f.path()); // refuse unsafe names before downloading
        Path target = context.workDir().resolve("hf-" + DOWNLOADS.incrementAndGet() + ".part");
        futures.add(context.hashPool().submit(() -> new RepoFile(f.path(), f.size(), hub.download(kind, repo, commit, f, target), f.lfs(), target)));
      }
      List<RepoFile> files = new ArrayList<>();
      for (Future<RepoFile> f : futures) files.add(await(f, repo));
      Map<String, String> card = ModelCard.facts(info.get("cardData"));
      if (card.isEmpty()) card = readmeFacts(files);
      List<String> revisions = revision.equals(commit) ? List.of() : List.of(revision);
      List<String> tagRevisions = revisions.stream().filter(upstreamTags(hub, kind, repo, revisions)::contains).toList();
      String distribution = hub.endpoint() + "/" + (kind.equals(HfIndex.DATASET) ? "datasets/" : "") + repo;
      out.add(artifact(kind, repo, commit, revisions, tagRevisions, files, card, distribution));
    }
    return out;
  }

  /**
   * The tag names of the repository upstream, to serve an exported tag as a tag: asked only when a
   * revision is exported by name, and empty where the endpoint has no refs call (then every
   * revision is served as a branch).
   */
  private static Set<String> upstreamTags(HubClient hub, String kind, String repo, List<String> revisions) {
    if (revisions.isEmpty()) return Set.of();
    JsonNode refs = hub.refs(kind, repo);
    Set<String> tags = new TreeSet<>();
    if (refs != null) refs.path("tags").forEach(t -> tags.add(t.path("name").asText("")));
    return tags;
  }

  private static HubClient.Timeouts timeouts(HfSpecEntry e, String where) {
    HubClient.Timeouts d = HubClient.Timeouts.DEFAULT;
    return new HubClient.Timeouts(seconds(e.connectTimeoutSeconds(), d.connect(), "connectTimeoutSeconds", where),
        seconds(e.readTimeoutSeconds(), d.read(), "readTimeoutSeconds", where),
        seconds(e.requestTimeoutSeconds(), d.request(), "requestTimeoutSeconds", where));
  }

  private static Duration seconds(Integer given, Duration dflt, String field, String where) {
    if (given == null) return dflt;
    if (given < 1 || given > 86_400) throw new UsageException(where + ": " + field + " must be between 1 and 86400");
    return Duration.ofSeconds(given);
  }

  private static String token(HfSpecEntry e, String where, ExportContext context) {
    int given = (e.token() != null ? 1 : 0) + (e.tokenFile() != null ? 1 : 0) + (e.tokenEnv() != null ? 1 : 0);
    if (given > 1) throw new UsageException(where + ": give at most one of 'token', 'tokenFile', 'tokenEnv'");
    String token = e.token();
    if (e.tokenFile() != null) {
      Path file = context.baseDir().resolve(e.tokenFile());
      try {
        token = Files.readString(file, StandardCharsets.UTF_8).strip();
      } catch (IOException ex) {
        throw new UsageException(where + ": cannot read tokenFile " + file + ": " + ex.getMessage());
      }
    }
    if (e.tokenEnv() != null) {
      token = System.getenv(e.tokenEnv());
      if (token == null) throw new UsageException(where + ": environment variable " + e.tokenEnv() + " (tokenEnv) is not set");
    }
    if (token != null && (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) throw new UsageException(where + ": the token must be printable ASCII without spaces");
    return token;
  }

  // ---- local --------------------------------------------------------------------------------

  private List<CollectedArtifact> local(HfSpecEntry e, String where, ExportContext context) {
    if (e.token() != null || e.tokenFile() != null || e.tokenEnv() != null) throw new UsageException(where + ": a token is only used with 'endpoint'");
    if (e.connectTimeoutSeconds() != null || e.readTimeoutSeconds() != null || e.requestTimeoutSeconds() != null) {
      throw new UsageException(where + ": timeouts are only used with 'endpoint'");
    }
    Path root = context.baseDir().resolve(e.path()).normalize();
    if (!Files.isDirectory(root)) throw new UsageException(where + ": path " + root + " is not a directory");
    Globs globs = new Globs(e.include(), e.exclude());
    LocalSnapshot.CacheLocation snapshot = LocalSnapshot.cacheLocation(root);
    LocalSnapshot.RepoDirName repoDir = LocalSnapshot.repoDirName(root.toAbsolutePath());
    if (snapshot != null) { // .../models--ORG--NAME/snapshots/COMMIT
      requireNone(where, e, "snapshot directory of a cache", e.repos(), e.commit());
      List<String> revisions = e.revision() != null ? List.of(e.revision()) : LocalSnapshot.refsOf(snapshot.repoDir(), snapshot.commit());
      return List.of(fromDir(snapshot.kind(), repoId(snapshot.repo(), where), snapshot.commit(), revisions, root, globs, context, where));
    }
    if (repoDir != null && Files.isDirectory(root.resolve("snapshots"))) { // .../models--ORG--NAME
      requireNone(where, e, "repository directory of a cache", e.repos(), e.commit());
      String revision = e.revision() != null ? e.revision() : "main";
      String commit = LocalSnapshot.resolveCacheRevision(root, revision, where);
      return List.of(fromDir(repoDir.kind(), repoId(repoDir.repo(), where), commit, revisionNames(revision, commit), root.resolve("snapshots").resolve(commit), globs, context, where));
    }
    if (e.repos() != null) { // a cache root: hub/ with models--*/datasets--*
      if (e.repo() != null || e.commit() != null || e.revision() != null || e.kind() != null) {
        throw new UsageException(where + ": with a cache directory and 'repos', give kind and revision per repository");
      }
      List<CollectedArtifact> out = new ArrayList<>();
      for (int i = 0; i < e.repos().size(); i++) {
        HfSpecEntry.RepoSpec r = e.repos().get(i);
        String rwhere = where + ".repos[" + i + "]";
        String kind = kind(r.kind(), rwhere);
        String repo = repoId(r.id(), rwhere);
        Path dir = LocalSnapshot.repoDir(root, kind, repo);
        if (!Files.isDirectory(dir)) throw new UsageException(rwhere + ": " + repo + " is not in the cache " + root + " (no " + dir.getFileName() + ")");
        String revision = r.revision() != null ? r.revision() : "main";
        String commit = LocalSnapshot.resolveCacheRevision(dir, revision, rwhere);
        Globs g = new Globs(r.include() != null ? r.include() : e.include(), r.exclude() != null ? r.exclude() : e.exclude());
        out.add(fromDir(kind, repo, commit, revisionNames(revision, commit), dir.resolve("snapshots").resolve(commit), g, context, rwhere));
      }
      return out;
    }
    // A plain snapshot directory: the repository id must be given; the commit may be.
    if (e.repo() == null) throw new UsageException(where + ": " + root + " is not inside a Hugging Face cache: give 'repo' (ORG/NAME) or 'repos'");
    String kind = kind(e.kind(), where);
    String repo = repoId(e.repo(), where);
    if (e.commit() != null && !GitOids.OID.matcher(e.commit()).matches()) throw new UsageException(where + ": commit must be 40 lowercase hex characters");
    String revision = e.revision() != null ? e.revision() : "main";
    List<RepoFile> files = LocalSnapshot.files(root, globs, context.hashPool());
    String commit = e.commit() != null ? e.commit() : syntheticCommit(files);
    return List.of(assemble(kind, repo, commit, revisionNames(revision, commit), files, where));
  }

  private static void requireNone(String where, HfSpecEntry e, String what, Object... fields) {
    for (Object f : fields) {
      if (f != null) throw new UsageException(where + ": 'repos' and 'commit' do not apply to a " + what);
    }
    if (e.repo() != null || e.kind() != null) throw new UsageException(where + ": the cache names the repository of a " + what + "; drop 'repo' and 'kind'");
  }

  private static List<String> revisionNames(String revision, String commit) {
    return revision.equals(commit) ? List.of() : List.of(revision);
  }

  private static CollectedArtifact fromDir(String kind, String repo, String commit, List<String> revisions, Path dir, Globs globs, ExportContext context, String where) {
    return assemble(kind, repo, commit, revisions, LocalSnapshot.files(dir, globs, context.hashPool()), where);
  }

  private static CollectedArtifact assemble(String kind, String repo, String commit, List<String> revisions, List<RepoFile> files, String where) {
    if (files.isEmpty()) throw new UsageException(where + ": no file of " + repo + "@" + commit + " matches the include/exclude patterns");
    return artifact(kind, repo, commit, revisions, List.of(), files, readmeFacts(files), null);
  }

  /**
   * A stand-in commit id for a plain directory that has none: the SHA-1 over its paths and
   * contents, so the same files give the same id and any change gives another.
   */
  static String syntheticCommit(List<RepoFile> files) {
    MessageDigest md = GitOids.sha1();
    md.update("airgap-snapshot\n".getBytes(StandardCharsets.UTF_8));
    files.stream().sorted((a, b) -> a.path().compareTo(b.path()))
        .forEach(f -> md.update((f.path() + "\0" + f.sha256().hex() + "\n").getBytes(StandardCharsets.UTF_8)));
    return HexFormat.of().formatHex(md.digest());
  }

  // ---- the artifact ---------------------------------------------------------------------------

  private static Map<String, String> readmeFacts(List<RepoFile> files) {
    return files.stream().filter(f -> f.path().equals("README.md")).findFirst().map(f -> ModelCard.fromReadme(f.onDisk())).orElse(Map.of());
  }

  static CollectedArtifact artifact(String kind, String repo, String commit, List<String> revisions, List<String> tagRevisions, List<RepoFile> files,
      Map<String, String> card, String distribution) {
    for (String r : revisions) {
      if (!HfIndex.REF_NAME.matcher(r).matches()) throw new UsageException(repo + ": revision '" + r + "' cannot be served by name (allowed: " + HfIndex.REF_NAME.pattern() + ")");
    }
    List<RepoFile> sorted = new ArrayList<>(files);
    sorted.sort((a, b) -> a.path().compareTo(b.path()));
    List<ArtifactFile> manifestFiles = new ArrayList<>();
    List<BlobSource> blobs = new ArrayList<>();
    Set<String> formats = new TreeSet<>();
    List<String> pickles = new ArrayList<>();
    List<String> lfs = new ArrayList<>();
    for (RepoFile f : sorted) {
      LogicalPath path = LogicalPath.parse(repo, repo + "/" + commit + "/" + f.path());
      String name = f.path().substring(f.path().lastIndexOf('/') + 1);
      manifestFiles.add(new ArtifactFile(path, f.size(), f.sha256(), MediaTypes.forName(name)));
      blobs.add(BlobSource.ofFile(f.onDisk(), f.sha256(), f.size()));
      int dot = name.lastIndexOf('.');
      String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
      if (WEIGHT_EXTENSIONS.contains(ext)) formats.add(ext);
      if (PickleFiles.isPickle(f.path())) pickles.add(f.path());
      if (f.lfs()) lfs.add(f.path());
    }
    Map<String, String> props = new LinkedHashMap<>();
    props.put("kind", kind);
    props.put("repo", repo);
    props.put("commit", commit);
    props.put("revisions", String.join(",", new LinkedHashSet<>(revisions)));
    if (!tagRevisions.isEmpty()) props.put("tagRevisions", String.join(",", new LinkedHashSet<>(tagRevisions)));
    props.put("lfsFiles", jsonArray(lfs));
    props.put("weightFormats", String.join(",", formats));
    props.put("pickleFiles", String.join(",", pickles));
    card.forEach(props::put);
    if (distribution != null) props.put("distribution", distribution);
    boolean dataset = kind.equals(HfIndex.DATASET);
    String purl = Purls.huggingface(repo, commit) + (dataset ? "?repository_type=dataset" : "");
    Artifact artifact = new Artifact(dataset ? DATASET_TYPE : TYPE, repo, commit, purl, props, manifestFiles);
    return new CollectedArtifact(artifact, blobs);
  }

  /** A JSON array of strings: paths may contain commas, so a plain list would be ambiguous. */
  static String jsonArray(List<String> values) {
    try {
      return dev.airgap.core.Json.strict().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(values);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String kind(String kind, String where) {
    String k = kind == null ? HfIndex.MODEL : kind;
    if (!k.equals(HfIndex.MODEL) && !k.equals(HfIndex.DATASET)) throw new UsageException(where + ": kind must be 'model' or 'dataset', not '" + k + "'");
    return k;
  }

  private static String repoId(String id, String where) {
    if (id == null || !HfIndex.REPO_ID.matcher(id).matches()) throw new UsageException(where + ": '" + id + "' is not a repository id (ORG/NAME)");
    return id;
  }

  static <T> T await(Future<T> f, Object where) {
    try {
      return f.get();
    } catch (ExecutionException ex) {
      if (ex.getCause() instanceof AirgapException ae) throw ae;
      if (ex.getCause() instanceof IOException io) throw EnvironmentException.io(where, io);
      throw new IllegalStateException(ex.getCause());
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new EnvironmentException("interrupted while collecting " + where);
    }
  }
}

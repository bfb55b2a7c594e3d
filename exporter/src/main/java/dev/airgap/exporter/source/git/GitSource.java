package dev.airgap.exporter.source.git;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.Trace;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.mirror.git.GitIndex;
import dev.airgap.exporter.source.ArtifactSource;
import dev.airgap.exporter.source.CollectedArtifact;
import dev.airgap.exporter.source.ExportContext;
import dev.airgap.exporter.source.SpecNodes;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.BundleWriter;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;

/**
 * {@code type: git} — a git repository fetched from any remote JGit supports and carried as one git
 * bundle: the full history the first time, then (with {@code --state}) only the objects that are
 * new since the refs the previous bundle of the channel carried. Served in the enclave at
 * {@code /git/<name>.git} (docs/git.md).
 */
public final class GitSource implements ArtifactSource {
  public static final String MEDIA_TYPE = "application/x-git-bundle";
  private static final String NO_COMMIT = "none";
  /** {@code update:<ref>} values: the new commit does not descend from the old one; a tag points elsewhere. */
  public static final String NON_FAST_FORWARD = "non-fast-forward";
  public static final String TAG_MOVED = "tag-moved";

  @Override
  public String type() {
    return "git";
  }

  @Override
  public List<CollectedArtifact> collect(JsonNode node, String where, ExportContext context) {
    GitEntry e = SpecNodes.parse(node, where, GitEntry.class);
    URIish uri = remote(e.url(), context.baseDir(), where);
    String name = e.name() != null ? e.name() : defaultName(uri);
    if (!GitIndex.validName(name)) {
      throw new UsageException(where + ": git repository name '" + name + "' must match " + GitIndex.NAME.pattern() + " and not end in .git (set name:)");
    }
    RefSelection selection = RefSelection.parse(e.refs(), where);
    String publicUrl = publicUrl(uri);
    Optional<ExportedRefs> previous = context.stateDir().flatMap(s -> ExportedRefs.read(s, name));

    Path cache = context.stateDir().map(s -> s.resolve("git-cache").resolve(name + ".git")).orElse(context.workDir().resolve("git-cache").resolve(name + ".git"));
    try (Repository repo = openCache(cache)) {
      Trace.mark("git: open cache");
      Fetched fetched = fetch(repo, uri, selection, where);
      Trace.mark("git: fetch");
      Map<String, ObjectId> refs = fetched.refs();
      String head = headBranch(fetched);
      Path bundle = Files.createTempFile(Files.createDirectories(context.workDir().resolve("git")), name, ".bundle");
      Written written;
      Map<String, String> properties = new LinkedHashMap<>();
      try (RevWalk walk = new RevWalk(repo)) {
        List<RevCommit> bases = bases(walk, previous.map(ExportedRefs::refs).orElse(Map.of()));
        written = writeBundle(repo, walk, refs, bases, bundle);
        Trace.mark("git: write bundle");
        describeRefs(walk, refs, previous.map(ExportedRefs::refs).orElse(Map.of()), bases, properties);
        Trace.mark("git: describe refs");
        properties.put("bundle", bases.isEmpty() ? "full" : "incremental on " + bases.size() + " base commit(s)");
      }
      properties.put("url", publicUrl);
      properties.put("vcs", publicUrl);
      properties.put("head", head);
      String version = refs.containsKey(head) ? peeledCommit(repo, refs.get(head)) : "0";

      ArtifactFile file = new ArtifactFile(LogicalPath.parse(where, "git/" + name + ".bundle"), written.size(), written.digest(), MEDIA_TYPE);
      Artifact artifact = new Artifact("git", name, version, purl(name, version, publicUrl), properties, List.of(file));
      context.stateDir().ifPresent(state -> {
        Map<String, String> carried = new TreeMap<>();
        refs.forEach((r, id) -> carried.put(r, id.name()));
        ExportedRefs next = new ExportedRefs(publicUrl, carried);
        context.afterCommit(() -> next.write(state, name));
      });
      return List.of(new CollectedArtifact(artifact, List.of(BlobSource.ofFile(bundle, written.digest(), written.size()))));
    } catch (IOException ex) {
      throw new EnvironmentException(where + ": git repository '" + name + "' from " + publicUrl + ": " + ex.getMessage(), ex);
    }
  }

  /** A URL with a scheme as given; anything else is a local path, relative to the spec. */
  static URIish remote(String url, Path baseDir, String where) {
    try {
      if (url.contains("://")) return new URIish(url);
      return new URIish(baseDir.resolve(url).toAbsolutePath().normalize().toString());
    } catch (URISyntaxException | RuntimeException ex) {
      throw new UsageException(where + ": url '" + url + "' is not a git URL or path: " + ex.getMessage());
    }
  }

  /** The URL as recorded in the manifest and SBOM: no credentials, and local paths as file URLs. */
  static String publicUrl(URIish uri) {
    if (uri.getScheme() == null && uri.getHost() == null && uri.getPath() != null && uri.getPath().startsWith("/")) {
      return "file://" + uri.getPath();
    }
    return uri.setUser(null).setPass(null).toString();
  }

  static String defaultName(URIish uri) {
    String n = uri.getHumanishName();
    return n == null || n.isEmpty() ? "repo" : n;
  }

  private static Repository openCache(Path dir) throws IOException {
    Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
    if (!repo.getObjectDatabase().exists()) repo.create(true);
    return repo;
  }

  /** The selected refs as the remote advertised them, and what its HEAD named: a branch, an id, or null. */
  private record Fetched(Map<String, ObjectId> refs, String headTarget, ObjectId headId) {}

  /** Fetches the selected refs into the cache. */
  private static Fetched fetch(Repository repo, URIish uri, RefSelection selection, String where) throws IOException {
    FetchResult result;
    try (Transport transport = Transport.open(repo, uri)) {
      transport.setTagOpt(TagOpt.NO_TAGS);
      transport.setCheckFetchedObjects(true);
      result = transport.fetch(NullProgressMonitor.INSTANCE, selection.refSpecs());
    } catch (org.eclipse.jgit.errors.NotSupportedException | org.eclipse.jgit.errors.TransportException ex) {
      throw new EnvironmentException(where + ": cannot fetch from " + publicUrl(uri) + ": " + ex.getMessage(), ex);
    }
    Map<String, ObjectId> refs = new TreeMap<>();
    for (Ref r : result.getAdvertisedRefs()) {
      if (r.isSymbolic() || r.getObjectId() == null || !selection.matches(r.getName())) continue;
      refs.put(r.getName(), r.getObjectId());
    }
    if (refs.isEmpty()) throw new UsageException(where + ": no ref of " + publicUrl(uri) + " matches " + selection.patterns());
    Ref remoteHead = result.getAdvertisedRef(Constants.HEAD);
    String target = remoteHead != null && remoteHead.isSymbolic() ? remoteHead.getTarget().getName() : null;
    return new Fetched(refs, target, remoteHead == null ? null : remoteHead.getObjectId());
  }

  /** The remote's default branch when exported, else main, master, or the first branch. */
  private static String headBranch(Fetched fetched) {
    Map<String, ObjectId> refs = fetched.refs();
    if (fetched.headTarget() != null && refs.containsKey(fetched.headTarget())) return fetched.headTarget();
    List<String> branches = refs.keySet().stream().filter(r -> r.startsWith(Constants.R_HEADS)).toList();
    if (fetched.headId() != null) {
      // Without a symref capability, the branch the HEAD id points to (main or master first).
      for (String b : List.of("refs/heads/main", "refs/heads/master")) {
        if (branches.contains(b) && refs.get(b).equals(fetched.headId())) return b;
      }
      for (String b : branches) if (refs.get(b).equals(fetched.headId())) return b;
    }
    for (String b : List.of("refs/heads/main", "refs/heads/master")) if (branches.contains(b)) return b;
    return branches.isEmpty() ? "refs/heads/main" : branches.get(0);
  }

  /** The commits the previous bundle carried that the cache still has: the new bundle's prerequisites. */
  private static List<RevCommit> bases(RevWalk walk, Map<String, String> previous) throws IOException {
    Map<ObjectId, RevCommit> commits = new LinkedHashMap<>();
    for (String id : previous.values()) {
      ObjectId oid;
      try {
        oid = ObjectId.fromString(id);
      } catch (IllegalArgumentException ex) {
        continue;
      }
      RevCommit c = peelToCommit(walk, oid);
      if (c != null) commits.putIfAbsent(c.copy(), c);
    }
    return new ArrayList<>(commits.values());
  }

  private static RevCommit peelToCommit(RevWalk walk, ObjectId id) throws IOException {
    try {
      RevObject o = walk.peel(walk.parseAny(id));
      return o instanceof RevCommit c ? c : null;
    } catch (MissingObjectException ex) {
      return null; // history rewritten upstream and the old commit is gone: not a base
    }
  }

  private record Written(Digest digest, long size) {}

  private static Written writeBundle(Repository repo, RevWalk walk, Map<String, ObjectId> refs, List<RevCommit> bases, Path file) throws IOException {
    BundleWriter writer = new BundleWriter(repo);
    refs.forEach(writer::include);
    for (RevCommit base : bases) writer.assume(walk.parseCommit(base));
    MessageDigest sha = Digest.newMessageDigest();
    org.apache.commons.io.output.CountingOutputStream counted;
    try (OutputStream out = new DigestOutputStream(
        counted = new org.apache.commons.io.output.CountingOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)), sha)) {
      writer.writeBundle(NullProgressMonitor.INSTANCE, out);
    }
    return new Written(Digest.fromRaw(sha.digest()), counted.getByteCount());
  }

  /**
   * One property per ref: {@code ref:<name>} = {@code <old> → <new> (N new commits)} with commit
   * ids (tags peeled), so inspect and the SBOM show exactly which commits the bundle carries. An
   * update that is not a fast-forward (the new commit does not descend from the old one) and a tag
   * that moved also get {@code update:<name>} ({@link #NON_FAST_FORWARD}, {@link #TAG_MOVED}, or
   * both), so reviewers see rewritten history.
   */
  private static void describeRefs(RevWalk walk, Map<String, ObjectId> refs, Map<String, String> previous, List<RevCommit> bases, Map<String, String> props) throws IOException {
    for (Map.Entry<String, ObjectId> e : refs.entrySet()) {
      String ref = e.getKey();
      boolean tag = ref.startsWith(Constants.R_TAGS);
      RevCommit now = peelToCommit(walk, e.getValue());
      String newId = now == null ? e.getValue().name() : now.name();
      String oldRaw = previous.get(ref);
      if (oldRaw == null) {
        long count = now == null ? 0 : countNew(walk, now, bases);
        props.put("ref:" + ref, NO_COMMIT + " → " + newId + " (" + commits(count, "new") + ")");
        continue;
      }
      String oldId = peeledName(walk, oldRaw);
      RevCommit old = bases.stream().filter(b -> b.name().equals(oldId)).findFirst().orElse(null);
      if (oldId.equals(newId)) {
        boolean replaced = tag && !oldRaw.equals(e.getValue().name());
        props.put("ref:" + ref, newId + (replaced ? " (same commit, tag object replaced)" : " (unchanged)"));
        if (replaced) props.put("update:" + ref, TAG_MOVED);
        continue;
      }
      // The old commit stays in the cache after a forced update upstream; if it is gone (a new
      // cache), the update cannot be shown to be a fast-forward.
      boolean fastForward = old != null && now != null && isAncestor(walk, old, now);
      long count = now == null ? 0 : countNew(walk, now, old != null ? List.of(old) : bases);
      StringBuilder text = new StringBuilder(oldId + " → " + newId + " (");
      List<String> kinds = new ArrayList<>();
      if (tag) kinds.add(TAG_MOVED);
      if (!fastForward) kinds.add(NON_FAST_FORWARD);
      if (tag) text.append(fastForward ? "tag moved; " : "tag moved, not a fast-forward; ");
      else if (!fastForward) text.append("forced update, not a fast-forward; ");
      text.append(commits(count, "new"));
      if (!fastForward) {
        text.append(old != null && now != null ? ", " + commits(countNew(walk, old, List.of(now)), "dropped") : ", previous commit not in the cache");
      }
      props.put("ref:" + ref, text.append(')').toString());
      if (!kinds.isEmpty()) props.put("update:" + ref, String.join(",", kinds));
    }
    for (String gone : previous.keySet()) {
      if (!refs.containsKey(gone)) props.put("ref:" + gone, peeledName(walk, previous.get(gone)) + " → deleted");
    }
  }

  private static String commits(long n, String what) {
    return n + " " + what + " commit" + (n == 1 ? "" : "s");
  }

  private static boolean isAncestor(RevWalk walk, RevCommit old, RevCommit now) throws IOException {
    walk.reset();
    boolean merged = walk.isMergedInto(walk.parseCommit(old), walk.parseCommit(now));
    walk.reset();
    return merged;
  }

  private static String peeledName(RevWalk walk, String id) {
    try {
      RevCommit c = peelToCommit(walk, ObjectId.fromString(id));
      return c == null ? id : c.name();
    } catch (IOException | IllegalArgumentException ex) {
      return id;
    }
  }

  private static long countNew(RevWalk walk, RevCommit tip, List<RevCommit> uninteresting) throws IOException {
    walk.reset();
    walk.markStart(walk.parseCommit(tip));
    for (RevCommit u : uninteresting) walk.markUninteresting(walk.parseCommit(u));
    long n = 0;
    while (walk.next() != null) n++;
    walk.reset();
    return n;
  }

  private static String peeledCommit(Repository repo, ObjectId id) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit c = peelToCommit(walk, id);
      return c == null ? id.name() : c.name();
    }
  }

  /** {@code pkg:generic/<name>@<commit>?vcs_url=git+<url>} (purl's generic type with a VCS qualifier). */
  static String purl(String name, String commit, String url) {
    String vcs = url.startsWith("git+") ? url : "git+" + url;
    return "pkg:generic/" + enc(name) + "@" + enc(commit) + "?vcs_url=" + enc(vcs);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

package dev.airgap.importer.publish.hf;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Json;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.mirror.hf.CardData;
import dev.airgap.core.mirror.hf.GitOids;
import dev.airgap.core.mirror.hf.HfIndex;
import dev.airgap.importer.publish.PublishContext;
import dev.airgap.importer.publish.Publisher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Publishes {@code huggingface} (model) and {@code huggingface-dataset} artifacts into
 * {@code hf/index.json}. Each artifact is one repository at one commit; its files' git object ids
 * are computed here from the verified blobs (the git blob id for regular files, the id of the LFS
 * pointer for LFS files), so what the mirror announces always matches what it serves.
 *
 * <p>Retention: every commit ever published stays reachable by its id. A commit carried again
 * (e.g. with other include patterns) gains the new files, and a path it already had takes the
 * newer content. The revisions a bundle names (branches, tags) point at its commit from then on,
 * and the repository's head (what {@code HEAD}, and {@code main} unless a bundle named it, resolve
 * to) is the commit of the latest import. A revision the bundle lists under {@code tagRevisions} is
 * served as a tag, any other as a branch. A commit's card data is the front matter of its README.md.
 */
public final class HuggingFacePublisher implements Publisher {
  private static final Map<String, String> KIND_BY_TYPE = Map.of("huggingface", HfIndex.MODEL, "huggingface-dataset", HfIndex.DATASET);

  @Override
  public Set<String> types() {
    return KIND_BY_TYPE.keySet();
  }

  @Override
  public void publish(PublishContext ctx) throws IOException {
    HfIndex previous = ctx.previousGeneration().map(HfIndex::read).orElse(HfIndex.empty());
    List<Artifact> artifacts = ctx.artifactsOf(types());
    boolean hadIndex = ctx.previousGeneration().map(g -> Files.exists(g.resolve(HfIndex.RELATIVE_PATH))).orElse(false);
    if (artifacts.isEmpty() && !hadIndex) return;

    Map<String, Map<String, MutableRepo>> kinds = new HashMap<>();
    previous.kinds().forEach((kind, repos) -> repos.forEach((id, r) -> kinds.computeIfAbsent(kind, k -> new HashMap<>()).put(id, new MutableRepo(r))));
    for (Artifact a : artifacts) {
      String kind = KIND_BY_TYPE.get(a.type());
      String where = "artifact '" + a.name() + "'";
      String repo = a.name();
      String commit = a.version();
      if (!HfIndex.REPO_ID.matcher(repo).matches()) throw IntegrityException.malformed(where, "not a repository id (ORG/NAME)");
      if (!GitOids.OID.matcher(commit).matches()) throw IntegrityException.malformed(where, "version '" + commit + "' is not a 40-hex commit id");
      Set<String> lfs = lfsFiles(a, where);
      String prefix = repo + "/" + commit + "/";
      Map<String, HfIndex.File> files = new LinkedHashMap<>();
      for (ArtifactFile f : a.files()) {
        String path = f.path().value();
        if (!path.startsWith(prefix)) throw IntegrityException.malformed(where, "file '" + path + "' is not under " + prefix);
        String rel = path.substring(prefix.length());
        boolean isLfs = lfs.contains(rel);
        String oid = isLfs ? GitOids.lfsPointerOid(f.sha256(), f.size()) : blobOid(ctx, f);
        files.put(rel, new HfIndex.File(f.sha256(), f.size(), isLfs, oid));
      }
      MutableRepo r = kinds.computeIfAbsent(kind, k -> new HashMap<>()).computeIfAbsent(repo, k -> new MutableRepo());
      HfIndex.Commit earlier = r.commits.get(commit);
      Map<String, HfIndex.File> merged = new LinkedHashMap<>(earlier == null ? Map.of() : earlier.files());
      merged.putAll(files);
      ObjectNode card = card(ctx, merged.get("README.md"), a);
      if (card.isEmpty() && earlier != null) card = earlier.card();
      r.commits.put(commit, new HfIndex.Commit(ctx.manifest().bundleId(), ctx.now(), card, merged));
      r.head = commit;
      Set<String> tagRevisions = Set.of(a.properties().getOrDefault("tagRevisions", "").split(","));
      for (String rev : a.properties().getOrDefault("revisions", "").split(",")) {
        if (rev.isEmpty()) continue;
        if (!HfIndex.REF_NAME.matcher(rev).matches()) throw IntegrityException.malformed(where, "revision '" + rev + "' is not a servable ref name");
        r.refs.put(rev, commit);
        if (tagRevisions.contains(rev)) r.tags.add(rev);
        else r.tags.remove(rev);
      }
    }
    Map<String, Map<String, HfIndex.Repo>> out = new HashMap<>();
    kinds.forEach((kind, repos) -> {
      Map<String, HfIndex.Repo> m = new HashMap<>();
      repos.forEach((id, r) -> m.put(id, new HfIndex.Repo(r.head, r.refs, r.tags, r.commits)));
      out.put(kind, m);
    });
    new HfIndex(out).write(ctx.newGeneration());
  }

  /**
   * The card data served for a commit: the front matter of the README.md it serves, read from the
   * verified blob (as the Hub derives it from the file); without one, the license and base model
   * the bundle recorded.
   */
  private static ObjectNode card(PublishContext ctx, HfIndex.File readme, Artifact a) throws IOException {
    if (readme != null) {
      ObjectNode fromFile;
      try (InputStream in = Files.newInputStream(ctx.blob(readme.sha256()))) {
        fromFile = CardData.fromReadme(in);
      }
      if (fromFile != null) return fromFile;
    }
    ObjectNode card = JsonNodeFactory.instance.objectNode();
    if (a.properties().containsKey("license")) card.put("license", a.properties().get("license"));
    if (a.properties().containsKey("baseModel")) card.put("base_model", a.properties().get("baseModel"));
    return card;
  }

  private static Set<String> lfsFiles(Artifact a, String where) {
    String json = a.properties().get("lfsFiles");
    if (json == null || json.isEmpty()) return Set.of();
    try {
      return new HashSet<>(Json.strict().readValue(json, new TypeReference<List<String>>() {}));
    } catch (IOException e) {
      throw IntegrityException.malformed(where, "property lfsFiles is not a JSON array of paths");
    }
  }

  private static String blobOid(PublishContext ctx, ArtifactFile f) throws IOException {
    try (InputStream in = Files.newInputStream(ctx.blob(f.sha256()))) {
      return GitOids.blobOid(in, f.size());
    }
  }

  private static final class MutableRepo {
    String head;
    final Map<String, String> refs = new HashMap<>();
    final Set<String> tags = new HashSet<>();
    final Map<String, HfIndex.Commit> commits = new HashMap<>();

    MutableRepo() {}

    MutableRepo(HfIndex.Repo r) {
      head = r.head();
      refs.putAll(r.refs());
      tags.addAll(r.tags());
      commits.putAll(r.commits());
    }
  }
}

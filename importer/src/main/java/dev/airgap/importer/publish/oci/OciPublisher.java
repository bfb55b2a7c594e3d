package dev.airgap.importer.publish.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Json;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.mirror.oci.OciIndex;
import dev.airgap.core.mirror.oci.OciMediaTypes;
import dev.airgap.core.mirror.oci.OciNames;
import dev.airgap.importer.publish.PublishContext;
import dev.airgap.importer.publish.Publisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Publishes {@code oci} artifacts into {@code oci/index.json}. Each manifest is read from the
 * verified blob and checked: its own media type agrees with the bundle's, and everything it
 * references (config, layers, child manifests) is carried by the artifact or already published in
 * the repository, with the same size. Retention: repositories, manifests and blobs of earlier
 * generations stay; a tag in the new bundle moves to the new digest.
 */
public final class OciPublisher implements Publisher {
  private static final Set<String> TYPES = Set.of("oci");

  private static final class MutableRepo {
    final Map<String, String> tags = new TreeMap<>();
    final Map<String, OciIndex.ManifestEntry> manifests = new TreeMap<>();
    final Map<String, Long> blobs = new TreeMap<>();
  }

  @Override
  public Set<String> types() {
    return TYPES;
  }

  @Override
  public void publish(PublishContext ctx) throws IOException {
    OciIndex previous = ctx.previousGeneration().map(OciIndex::read).orElse(OciIndex.empty());
    Map<String, MutableRepo> repos = new TreeMap<>();
    previous.repositories().forEach((name, r) -> {
      MutableRepo m = new MutableRepo();
      m.tags.putAll(r.tags());
      m.manifests.putAll(r.manifests());
      m.blobs.putAll(r.blobs());
      repos.put(name, m);
    });
    if (ctx.artifactsOf(TYPES).isEmpty() && ctx.previousGeneration().isPresent() && previous.repositories().isEmpty()) return;
    for (Artifact a : ctx.artifactsOf(TYPES)) publish(ctx, a, repos.computeIfAbsent(a.name(), n -> new MutableRepo()));
    Map<String, OciIndex.Repository> out = new TreeMap<>();
    repos.forEach((name, m) -> out.put(name, new OciIndex.Repository(m.tags, m.manifests, m.blobs)));
    if (!out.isEmpty()) new OciIndex(out).write(ctx.newGeneration());
  }

  private void publish(PublishContext ctx, Artifact a, MutableRepo repo) throws IOException {
    String where = "oci artifact " + a.name();
    if (!OciNames.isRepository(a.name())) throw IntegrityException.malformed(where, "not a valid repository name");
    Map<String, Long> sizes = new HashMap<>();
    Map<String, OciIndex.ManifestEntry> manifests = new LinkedHashMap<>();
    Map<String, JsonNode> parsed = new LinkedHashMap<>();
    for (ArtifactFile f : a.files()) {
      String d = f.sha256().toString();
      sizes.put(d, f.size());
      if (!OciMediaTypes.isManifest(f.mediaType())) continue;
      if (f.size() > OciMediaTypes.MAX_MANIFEST_BYTES) throw IntegrityException.malformed(where + " " + d, "manifest larger than " + OciMediaTypes.MAX_MANIFEST_BYTES + " bytes");
      JsonNode json = parse(ctx.blob(f.sha256()), where + " " + d);
      String own = json.path("mediaType").asText(null);
      if (own != null && !own.equals(f.mediaType())) throw IntegrityException.malformed(where + " " + d, "declares media type " + own + " but the bundle lists " + f.mediaType());
      parsed.put(d, json);
      manifests.put(d, entry(json, f, ctx.manifest().bundleId(), where));
    }
    for (Map.Entry<String, JsonNode> m : parsed.entrySet()) {
      for (JsonNode desc : references(m.getValue())) {
        String d = desc.path("digest").asText();
        long size = desc.path("size").asLong(-1);
        Long have = sizes.containsKey(d) ? sizes.get(d) : repo.blobs.containsKey(d) ? repo.blobs.get(d)
            : repo.manifests.containsKey(d) ? Long.valueOf(repo.manifests.get(d).size()) : null;
        if (have == null) throw IntegrityException.malformed(where + " " + m.getKey(), "references " + d + ", which the bundle does not carry");
        if (have != size) throw IntegrityException.sizeMismatch(where + " " + m.getKey() + " reference " + d, size, have);
      }
    }
    String top = a.properties().get("digest");
    if (top == null || !manifests.containsKey(top)) throw IntegrityException.malformed(where, "property digest names no manifest of the artifact");
    for (ArtifactFile f : a.files()) {
      if (!manifests.containsKey(f.sha256().toString())) repo.blobs.put(f.sha256().toString(), f.size());
    }
    repo.manifests.putAll(manifests);
    for (String tag : split(a.properties().get("tags"))) {
      if (!OciNames.isTag(tag)) throw IntegrityException.malformed(where, "bad tag '" + tag + "'");
      repo.tags.put(tag, top);
    }
    for (String pair : split(a.properties().get("attachedTags"))) {
      int eq = pair.indexOf('=');
      String tag = eq < 0 ? "" : pair.substring(0, eq);
      String digest = eq < 0 ? "" : pair.substring(eq + 1);
      if (!OciNames.isTag(tag) || !manifests.containsKey(digest)) throw IntegrityException.malformed(where, "bad attached tag '" + pair + "'");
      repo.tags.put(tag, digest);
    }
  }

  private static OciIndex.ManifestEntry entry(JsonNode json, ArtifactFile f, String bundleId, String where) {
    String artifactType = json.path("artifactType").isTextual() ? json.get("artifactType").asText()
        : json.path("config").path("mediaType").isTextual() ? json.get("config").get("mediaType").asText() : null;
    String subject = null;
    if (json.has("subject")) {
      subject = json.path("subject").path("digest").asText(null);
      if (!OciNames.isDigest(subject)) throw IntegrityException.malformed(where + " " + f.sha256(), "bad subject digest");
    }
    Map<String, String> annotations = null;
    if (json.path("annotations").isObject()) {
      annotations = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = json.get("annotations").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isTextual()) annotations.put(e.getKey(), e.getValue().asText());
      }
    }
    return new OciIndex.ManifestEntry(f.mediaType(), f.size(), artifactType, subject, annotations, bundleId);
  }

  /** Descriptors a manifest needs present: config and layers, or an index's manifests (not its subject). */
  private static Iterable<JsonNode> references(JsonNode json) {
    java.util.List<JsonNode> out = new java.util.ArrayList<>();
    if (json.has("config")) out.add(json.get("config"));
    json.path("layers").forEach(out::add);
    json.path("manifests").forEach(out::add);
    for (JsonNode d : out) {
      if (!OciNames.isDigest(d.path("digest").asText(null))) throw IntegrityException.malformed("oci manifest", "descriptor with a bad digest");
    }
    return out;
  }

  private static JsonNode parse(Path file, String where) throws IOException {
    try {
      JsonNode n = Json.strict().readTree(Files.readAllBytes(file));
      if (n == null || !n.isObject()) throw IntegrityException.malformed(where, "not a JSON object");
      return n;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw IntegrityException.malformed(where, "unreadable manifest: " + e.getOriginalMessage());
    }
  }

  private static java.util.List<String> split(String list) {
    if (list == null || list.isEmpty()) return java.util.List.of();
    return java.util.List.of(list.split(","));
  }
}

package dev.airgap.exporter.source.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Digest;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.mirror.oci.OciMediaTypes;
import dev.airgap.exporter.source.ExportContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Walks one image from its top manifest down to every blob: filters an index to the wanted
 * platforms (writing a new index when something was left out), follows cosign signature tags and
 * referrers when asked, and fetches every blob (in parallel, each verified against its digest).
 */
final class ImageCollector {
  /** A file of the image: where its bytes come from (verified, or verified when written) and what it is. */
  record ImageFile(Digest digest, long size, String mediaType, BlobSource bytes) {
    static ImageFile of(Digest digest, long size, String mediaType, Path verifiedFile) {
      return new ImageFile(digest, size, mediaType, BlobSource.ofFile(verifiedFile, digest, size));
    }
  }

  /** Everything collected for one image. */
  record Image(Digest digest, String mediaType, Digest upstreamDigest, Map<Digest, ImageFile> files, Map<String, Digest> attachedTags,
      Set<String> platforms, int layers, long layerBytes, int signatures, List<String> referrerTypes, List<Digest> sbomBlobs) {}

  private static final int MAX_DEPTH = 4;
  private static final List<String> COSIGN_SUFFIXES = List.of(".sig", ".att", ".sbom");

  private final ContentSource source;
  private final List<Platform> platforms;
  private final boolean keepWhole;
  private final boolean signatures;
  private final ExportContext context;

  private final Map<Digest, ImageFile> files = new LinkedHashMap<>();
  private final Map<Digest, JsonNode> pendingBlobs = new LinkedHashMap<>();
  /** Blobs only ever named as layers: the source may stream them at bundle-write time. Configs are fetched (read here). */
  private final Set<Digest> layerOnly = new LinkedHashSet<>();
  private final Set<Digest> configs = new LinkedHashSet<>();
  private final List<Digest> mainConfigs = new ArrayList<>();
  private final Map<Digest, Long> mainLayers = new LinkedHashMap<>();
  private final Map<String, Digest> attachedTags = new LinkedHashMap<>();
  private final List<String> referrerTypes = new ArrayList<>();
  private final List<Digest> sbomBlobs = new ArrayList<>();
  private final Set<String> platformNames = new TreeSet<>();
  private int signatureCount;

  ImageCollector(ContentSource source, List<Platform> platforms, boolean keepWhole, boolean signatures, ExportContext context) {
    this.source = source;
    this.platforms = platforms;
    this.keepWhole = keepWhole;
    this.signatures = signatures;
    this.context = context;
  }

  Image collect(String reference) {
    String where = source.describe() + " " + reference;
    ContentSource.Fetched top = source.manifest(reference)
        .orElseThrow(() -> new UsageException(where + ": no such image (manifest unknown)"));
    JsonNode json = Manifests.parse(top.bytes(), where);
    String mediaType = Manifests.mediaType(json, top.mediaType(), where);
    Digest served = top.digest();
    List<Digest> subjects = new ArrayList<>(List.of(top.digest()));
    if (OciMediaTypes.isIndex(mediaType)) {
      List<JsonNode> all = new ArrayList<>();
      json.get("manifests").forEach(all::add);
      List<JsonNode> chosen = choose(all, where);
      for (JsonNode child : chosen) {
        Digest d = Manifests.digestOf(child, where);
        subjects.add(d);
        walk(fetchChild(child, where), true, 1, child.get("platform"));
      }
      if (chosen.size() < all.size()) {
        ObjectNode rewritten = json.deepCopy();
        ArrayNode list = rewritten.putArray("manifests");
        chosen.forEach(list::add);
        byte[] bytes = write(rewritten);
        Path file = VerifiedFiles.storeBytes(bytes, context.workDir());
        served = Digest.of(bytes);
        files.put(served, ImageFile.of(served, bytes.length, mediaType, file));
      } else {
        addManifest(top, mediaType);
      }
    } else {
      walk(top, true, 0, null);
    }
    if (signatures) {
      for (Digest subject : subjects) attachments(subject, where);
    }
    fetchPending();
    for (Digest config : mainConfigs) platformNames.add(platformOf(config, where));
    long layerBytes = mainLayers.values().stream().mapToLong(Long::longValue).sum();
    return new Image(served, mediaType, top.digest(), files, attachedTags, platformNames, mainLayers.size(), layerBytes, signatureCount, referrerTypes, sbomBlobs);
  }

  private List<JsonNode> choose(List<JsonNode> all, String where) {
    if (keepWhole || platforms.isEmpty()) return all;
    List<JsonNode> chosen = new ArrayList<>();
    Set<String> chosenDigests = new LinkedHashSet<>();
    for (JsonNode m : all) {
      JsonNode p = m.get("platform");
      if (p != null && platforms.stream().anyMatch(want -> want.matches(p))) {
        chosen.add(m);
        chosenDigests.add(m.path("digest").asText());
      }
    }
    if (chosen.isEmpty()) throw new UsageException(where + ": no manifest for platforms " + platforms + " in the index");
    // BuildKit attestation manifests (platform unknown/unknown) travel with the image they describe.
    for (JsonNode m : all) {
      JsonNode ann = m.path("annotations");
      if ("attestation-manifest".equals(ann.path("vnd.docker.reference.type").asText()) && chosenDigests.contains(ann.path("vnd.docker.reference.digest").asText())) {
        chosen.add(m);
      }
    }
    return chosen;
  }

  private ContentSource.Fetched fetchChild(JsonNode descriptor, String where) {
    Digest d = Manifests.digestOf(descriptor, where);
    long size = Manifests.sizeOf(descriptor, where);
    ContentSource.Fetched f = source.manifest(d.toString())
        .orElseThrow(() -> new IntegrityException(where + ": manifest " + d + " named by the index is missing"));
    if (f.bytes().length != size) throw IntegrityException.sizeMismatch(where + " manifest " + d, size, f.bytes().length);
    String announced = descriptor.path("mediaType").asText(null);
    return new ContentSource.Fetched(f.bytes(), announced != null ? announced : f.mediaType(), f.digest());
  }

  /** Adds a manifest and everything below it; {@code main} counts it as part of the image itself. */
  private void walk(ContentSource.Fetched f, boolean main, int depth, JsonNode platform) {
    String where = source.describe() + " manifest " + f.digest();
    if (depth > MAX_DEPTH) throw IntegrityException.malformed(where, "indexes nested deeper than " + MAX_DEPTH);
    JsonNode json = Manifests.parse(f.bytes(), where);
    String mediaType = Manifests.mediaType(json, f.mediaType(), where);
    addManifest(f, mediaType);
    if (OciMediaTypes.isIndex(mediaType)) {
      for (JsonNode child : json.get("manifests")) walk(fetchChild(child, where), main, depth + 1, child.get("platform"));
      return;
    }
    JsonNode config = json.get("config");
    pendingBlobs.putIfAbsent(Manifests.digestOf(config, where), config);
    configs.add(Manifests.digestOf(config, where));
    Manifests.sizeOf(config, where);
    boolean attestation = platform != null && "unknown".equals(platform.path("os").asText());
    if (main && !attestation) mainConfigs.add(Manifests.digestOf(config, where));
    JsonNode layers = json.path("layers");
    if (!layers.isArray()) throw IntegrityException.malformed(where, "layers is not an array");
    for (JsonNode layer : layers) {
      Digest d = Manifests.digestOf(layer, where);
      long size = Manifests.sizeOf(layer, where);
      pendingBlobs.putIfAbsent(d, layer);
      layerOnly.add(d);
      if (main && !attestation) mainLayers.put(d, size);
    }
  }

  private void addManifest(ContentSource.Fetched f, String mediaType) {
    if (files.containsKey(f.digest())) return;
    Path file = VerifiedFiles.storeBytes(f.bytes(), context.workDir());
    files.put(f.digest(), ImageFile.of(f.digest(), f.bytes().length, mediaType, file));
  }

  /** Cosign tags ({@code sha256-<hex>.sig|.att|.sbom}) and referrers (API, else the fallback tag). */
  private void attachments(Digest subject, String where) {
    String base = "sha256-" + subject.hex();
    for (String suffix : COSIGN_SUFFIXES) {
      Optional<ContentSource.Fetched> sig = source.manifest(base + suffix);
      if (sig.isEmpty()) continue;
      walk(sig.get(), false, 0, null);
      attachedTags.put(base + suffix, sig.get().digest());
      if (suffix.equals(".sig")) signatureCount++;
    }
    Optional<ContentSource.Fetched> referrers = source.referrers(subject);
    if (referrers.isEmpty()) {
      referrers = source.manifest(base);
      if (referrers.isPresent()) {
        JsonNode j = Manifests.parse(referrers.get().bytes(), where + " " + base);
        if (!OciMediaTypes.isIndex(Manifests.mediaType(j, referrers.get().mediaType(), where + " " + base))) return;
        addManifest(referrers.get(), OciMediaTypes.OCI_INDEX);
        attachedTags.put(base, referrers.get().digest());
      }
    }
    if (referrers.isEmpty()) return;
    JsonNode index = Manifests.parse(referrers.get().bytes(), where + " referrers of " + subject);
    for (JsonNode descriptor : index.path("manifests")) {
      ContentSource.Fetched r = fetchChild(descriptor, where + " referrers of " + subject);
      JsonNode json = Manifests.parse(r.bytes(), where);
      String type = descriptor.path("artifactType").asText(json.path("artifactType").asText(json.path("config").path("mediaType").asText("unknown")));
      referrerTypes.add(type);
      walk(r, false, 1, null);
      if (type.contains("spdx") || type.contains("cyclonedx") || type.contains("sbom")) {
        for (JsonNode layer : json.path("layers")) sbomBlobs.add(Manifests.digestOf(layer, where));
      }
    }
  }

  /** Fetches every blob not yet held, in parallel on the export's pool; layers as the source chooses. */
  private void fetchPending() {
    layerOnly.removeAll(configs);
    List<Future<ImageFile>> futures = new ArrayList<>();
    for (Map.Entry<Digest, JsonNode> e : pendingBlobs.entrySet()) {
      if (files.containsKey(e.getKey())) continue;
      Digest d = e.getKey();
      JsonNode desc = e.getValue();
      long size = Manifests.sizeOf(desc, source.describe());
      String mediaType = Manifests.mediaTypeOf(desc);
      if (layerOnly.contains(d)) {
        futures.add(context.hashPool().submit(() -> new ImageFile(d, size, mediaType, source.layer(d, size))));
      } else {
        futures.add(context.hashPool().submit(() -> ImageFile.of(d, size, mediaType, source.blob(d, size))));
      }
    }
    for (Future<ImageFile> f : futures) {
      try {
        ImageFile file = f.get();
        files.putIfAbsent(file.digest(), file);
      } catch (ExecutionException e) {
        futures.forEach(other -> other.cancel(true));
        if (e.getCause() instanceof AirgapException ae) throw ae;
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EnvironmentException("interrupted while fetching " + source.describe());
      }
    }
  }

  private String platformOf(Digest config, String where) {
    ImageFile f = files.get(config);
    if (f == null || f.size() > OciMediaTypes.MAX_MANIFEST_BYTES) return "unknown";
    try (InputStream in = f.bytes().open()) {
      JsonNode c = Manifests.parse(in.readNBytes(OciMediaTypes.MAX_MANIFEST_BYTES), where + " config " + config);
      String p = c.path("os").asText("unknown") + "/" + c.path("architecture").asText("unknown");
      return c.hasNonNull("variant") ? p + "/" + c.get("variant").asText() : p;
    } catch (IOException e) {
      throw EnvironmentException.io(f.bytes().origin(), e);
    }
  }

  private static byte[] write(JsonNode node) {
    try {
      return Manifests.JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.airgap.exporter.source.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.mirror.oci.OciNames;
import dev.airgap.exporter.source.ArtifactSource;
import dev.airgap.exporter.source.CollectedArtifact;
import dev.airgap.exporter.source.ExportContext;
import dev.airgap.exporter.source.SpecNodes;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code type: oci} — container images from registries (distribution API), OCI image layouts and
 * {@code docker save} archives (docs/oci.md). One artifact per image (repository + top manifest
 * digest, with all its tags): every manifest, config and layer as a file at {@code
 * oci/<repository>@<digest>/blobs/sha256/<hex>}; identical layers travel once in the bundle.
 */
public final class OciSource implements ArtifactSource {
  @Override
  public String type() {
    return "oci";
  }

  @Override
  public List<CollectedArtifact> collect(JsonNode node, String where, ExportContext context) {
    OciEntry e = SpecNodes.parse(node, where, OciEntry.class);
    int sources = (e.images() != null ? 1 : 0) + (e.layout() != null ? 1 : 0) + (e.archive() != null ? 1 : 0);
    if (sources != 1) throw new UsageException(where + ": give exactly one of images, layout or archive");
    List<Platform> platforms = new ArrayList<>();
    if (e.platforms() != null) for (String p : e.platforms()) platforms.add(Platform.parse(p, where));
    if (e.images() != null) return fromRegistries(e, platforms, where, context);
    if (e.registries() != null || e.auth() != null) throw new UsageException(where + ": registries and auth apply to images only");
    LayoutSource layout = e.layout() != null
        ? LayoutSource.ofDirectory(context.baseDir().resolve(e.layout()).normalize())
        : ImageArchive.open(context.baseDir().resolve(e.archive()).normalize(), context.workDir());
    return fromLayout(e, layout, platforms, where, context);
  }

  private List<CollectedArtifact> fromRegistries(OciEntry e, List<Platform> platforms, String where, ExportContext context) {
    if (e.repository() != null || e.tags() != null) throw new UsageException(where + ": repository and tags apply to layout and archive only");
    if (e.images().isEmpty()) throw new UsageException(where + ": images is empty");
    Map<String, RegistryClient> clients = new LinkedHashMap<>();
    // (repository, reference) in spec order; images naming the same digest merge into one artifact.
    Map<String, Group> groups = new LinkedHashMap<>();
    for (String text : e.images()) {
      ImageReference ref = ImageReference.parse(text, where);
      RegistryClient client = clients.computeIfAbsent(ref.host(), h -> client(e, h, where, context));
      RegistrySource source = new RegistrySource(client, ref.repository(), context.workDir());
      ImageCollector.Image image = new ImageCollector(source, platforms, e.keepWhole(), e.withSignatures(), context).collect(ref.reference());
      if (ref.digest() != null && !image.upstreamDigest().toString().equals(ref.digest())) {
        throw new IllegalStateException("digest-pinned fetch returned another digest"); // RegistrySource verifies; unreachable
      }
      String repoUrl = authority(client.base()) + "/" + ref.repository();
      Group g = groups.computeIfAbsent(ref.repository() + "@" + image.digest(), k -> new Group(ref.repository(), repoUrl, source.describe(), image));
      if (ref.tag() != null && !g.tags.contains(ref.tag())) g.tags.add(ref.tag());
    }
    return groups.values().stream().map(OciSource::toArtifact).toList();
  }

  private List<CollectedArtifact> fromLayout(OciEntry e, LayoutSource layout, List<Platform> platforms, String where, ExportContext context) {
    if (e.repository() != null && !OciNames.isRepository(e.repository())) throw new UsageException(where + ": bad repository name '" + e.repository() + "'");
    Map<String, Group> groups = new LinkedHashMap<>();
    List<String> wanted = e.tags();
    int found = 0;
    for (String refName : layout.tagged().keySet()) {
      // ref.name is a tag ("1.0") or a full name ("example/app:1.0"), as docker/podman write it.
      String repository = e.repository();
      String tag = refName;
      int colon = refName.lastIndexOf(':');
      if (refName.startsWith("sha256:")) {
        tag = null;
      } else if (colon > refName.lastIndexOf('/') && colon > 0) {
        tag = refName.substring(colon + 1);
        if (repository == null) repository = stripHost(refName.substring(0, colon));
      }
      if (wanted != null && (tag == null || !wanted.contains(tag))) continue;
      if (tag != null && (tag.startsWith("sha256-"))) continue; // signature/referrer tags travel with their subject
      if (repository == null) throw new UsageException(where + ": '" + refName + "' has no repository name: set repository");
      if (!OciNames.isRepository(repository)) throw new UsageException(where + ": bad repository name '" + repository + "' (set repository)");
      if (tag != null && !OciNames.isTag(tag)) throw new UsageException(where + ": bad tag '" + tag + "'");
      found++;
      ImageCollector.Image image = new ImageCollector(layout, platforms, e.keepWhole(), e.withSignatures(), context).collect(refName);
      String repo = repository;
      Group g = groups.computeIfAbsent(repo + "@" + image.digest(), k -> new Group(repo, repo, layout.describe(), image));
      if (tag != null && !g.tags.contains(tag)) g.tags.add(tag);
    }
    if (wanted != null && found < wanted.size()) throw new UsageException(where + ": tags " + wanted + " not all found in " + layout.describe());
    if (found == 0) throw new UsageException(where + ": no tagged image in " + layout.describe());
    return groups.values().stream().map(OciSource::toArtifact).toList();
  }

  private static String stripHost(String name) {
    int slash = name.indexOf('/');
    if (slash > 0) {
      String first = name.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) return name.substring(slash + 1);
    }
    return name;
  }

  private static RegistryClient client(OciEntry e, String host, String where, ExportContext context) {
    OciEntry.Registry configured = e.registries() == null ? null : e.registries().get(host);
    String url = configured != null ? configured.url() : "https://" + host;
    URI base;
    try {
      base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (IllegalArgumentException ex) {
      throw new UsageException(where + ": registries." + host + ".url: bad URL '" + url + "'");
    }
    if (base.getScheme() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https")) || base.getHost() == null) {
      throw new UsageException(where + ": registries." + host + ".url must be http(s)://host[:port]");
    }
    String authPath = configured != null && configured.auth() != null ? configured.auth() : e.auth();
    Optional<String> basic = authPath == null ? Optional.empty() : AuthFile.basicFor(context.baseDir().resolve(authPath).normalize(), host);
    return new RegistryClient(base, basic);
  }

  private static String authority(URI base) {
    return base.getPort() < 0 ? base.getHost() : base.getHost() + ":" + base.getPort();
  }

  private static final class Group {
    final String repository;
    final String repositoryUrl;
    final String origin;
    final ImageCollector.Image image;
    final List<String> tags = new ArrayList<>();

    Group(String repository, String repositoryUrl, String origin, ImageCollector.Image image) {
      this.repository = repository;
      this.repositoryUrl = repositoryUrl;
      this.origin = origin;
      this.image = image;
    }
  }

  private static CollectedArtifact toArtifact(Group g) {
    ImageCollector.Image image = g.image;
    String prefix = "oci/" + g.repository + "@" + image.digest();
    List<ArtifactFile> files = new ArrayList<>();
    List<BlobSource> blobs = new ArrayList<>();
    for (ImageCollector.ImageFile f : image.files().values()) {
      files.add(new ArtifactFile(LogicalPath.parse(prefix, prefix + "/blobs/sha256/" + f.digest().hex()), f.size(), f.digest(), f.mediaType()));
      blobs.add(f.bytes());
    }
    Map<String, String> props = new LinkedHashMap<>();
    props.put("digest", image.digest().toString());
    props.put("mediaType", image.mediaType());
    if (!image.upstreamDigest().equals(image.digest())) props.put("upstreamDigest", image.upstreamDigest().toString());
    props.put("tags", String.join(",", g.tags));
    props.put("attachedTags", image.attachedTags().entrySet().stream().map(x -> x.getKey() + "=" + x.getValue()).collect(Collectors.joining(",")));
    props.put("platforms", String.join(",", image.platforms()));
    props.put("layers", Integer.toString(image.layers()));
    props.put("layerBytes", Long.toString(image.layerBytes()));
    props.put("signatures", Integer.toString(image.signatures()));
    props.put("referrers", image.referrerTypes().isEmpty() ? "0" : image.referrerTypes().size() + " (" + String.join(",", image.referrerTypes()) + ")");
    if (!image.sbomBlobs().isEmpty()) {
      props.put("sbom", image.sbomBlobs().stream().map(d -> prefix + "/blobs/sha256/" + d.hex()).collect(Collectors.joining(",")));
    }
    props.put("source", g.origin);
    String version = g.tags.isEmpty() ? image.digest().toString() : g.tags.get(0);
    return new CollectedArtifact(new Artifact("oci", g.repository, version, purl(g, image.digest()), props, files), blobs);
  }

  /** {@code pkg:oci/<name>@<digest>?repository_url=<host/repo>&tag=<tag>} (purl spec, type oci). */
  static String purl(Group g, Digest digest) {
    String name = g.repository.substring(g.repository.lastIndexOf('/') + 1);
    StringBuilder b = new StringBuilder("pkg:oci/").append(enc(name)).append('@').append(enc(digest.toString()));
    b.append("?repository_url=").append(enc(g.repositoryUrl).replace("%2F", "/"));
    if (!g.tags.isEmpty()) b.append("&tag=").append(enc(g.tags.get(0)));
    return b.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

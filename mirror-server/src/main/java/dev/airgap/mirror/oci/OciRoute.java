package dev.airgap.mirror.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Digest;
import dev.airgap.core.mirror.oci.OciIndex;
import dev.airgap.core.mirror.oci.OciMediaTypes;
import dev.airgap.core.mirror.oci.OciNames;
import dev.airgap.mirror.GenerationView;
import dev.airgap.mirror.MirrorPaths;
import dev.airgap.mirror.MirrorRoute;
import dev.airgap.mirror.Reply;
import dev.airgap.mirror.Resource;
import dev.airgap.mirror.RouteRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /v2/}: a read-only OCI distribution registry (pull and content discovery) over the
 * generation's {@code oci/index.json} (docs/oci.md). Repository names may contain slashes, so a
 * path is parsed from the right: {@code <name>/manifests/<reference>}, {@code <name>/blobs/<digest>},
 * {@code <name>/tags/list}, {@code <name>/referrers/<digest>}. Errors are the spec's JSON; every
 * write is 405 {@code UNSUPPORTED}.
 */
public final class OciRoute implements MirrorRoute {
  public static final String PREFIX = "v2";
  public static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
  public static final String API_VERSION = "registry/2.0";
  /** Tag pages hold at most this many tags, whatever {@code n} asks for. */
  public static final int MAX_PAGE = 1000;
  static final String DIGEST_INVALID_MESSAGE = "invalid digest: this registry serves sha256 digests of 64 lowercase hex digits";
  private static final String INDEX_KEY = "oci:" + OciIndex.RELATIVE_PATH;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String prefix() {
    return PREFIX;
  }

  @Override
  public Reply reply(GenerationView generation, RouteRequest request) throws IOException {
    String raw = request.path();
    if (raw.isEmpty()) return base();
    String path = MirrorPaths.decodePath(raw);
    if (path == null) return error(404, "NAME_UNKNOWN", "repository name not known to registry");
    String[] s = path.split("/", -1);
    if (s.length < 3) return error(404, "NAME_UNKNOWN", "repository name not known to registry");
    String last = s[s.length - 1];
    String kind = s[s.length - 2];
    String name = String.join("/", java.util.Arrays.copyOf(s, s.length - 2));
    if (kind.equals("tags") && last.equals("list")) return tags(generation, name, request);
    if (!OciNames.isRepository(name)) return error(404, "NAME_UNKNOWN", "repository name not known to registry");
    OciIndex.Repository repo = index(generation).repositories().get(name);
    switch (kind) {
      case "manifests":
        return manifest(generation, repo, last, request);
      case "blobs":
        return blob(generation, repo, last);
      case "referrers":
        return referrers(repo, last, request);
      default:
        return error(404, "NAME_UNKNOWN", "repository name not known to registry");
    }
  }

  private static OciIndex index(GenerationView generation) {
    return generation.memo(INDEX_KEY, g -> OciIndex.read(g.directory()));
  }

  private static Reply base() {
    return Reply.json(200, "{}".getBytes(StandardCharsets.UTF_8)).withHeader(API_VERSION_HEADER, API_VERSION);
  }

  private Reply manifest(GenerationView generation, OciIndex.Repository repo, String reference, RouteRequest request) throws IOException {
    if (repo == null) return error(404, "NAME_UNKNOWN", "repository name not known to registry");
    String digest;
    if (OciNames.isDigest(reference)) {
      digest = reference;
    } else if (OciNames.isTag(reference)) {
      digest = repo.tags().get(reference);
      if (digest == null) return error(404, "MANIFEST_UNKNOWN", "manifest unknown");
    } else if (reference.indexOf(':') >= 0) { // meant as a digest (no tag has a colon)
      return digestInvalid();
    } else {
      return error(404, "MANIFEST_UNKNOWN", "manifest unknown");
    }
    OciIndex.ManifestEntry entry = repo.manifests().get(digest);
    if (entry == null) return error(404, "MANIFEST_UNKNOWN", "manifest unknown");
    if (!accepts(request.headers("Accept"), entry.mediaType())) {
      return error(404, "MANIFEST_UNKNOWN", "manifest is " + entry.mediaType() + ", which the request does not accept");
    }
    Optional<Resource> r = generation.openBlob(Digest.parse(digest), entry.size(), entry.mediaType());
    if (r.isEmpty()) return error(404, "MANIFEST_UNKNOWN", "manifest unknown");
    return Reply.of(r.get().withHeader("Docker-Content-Digest", digest).withHeader(API_VERSION_HEADER, API_VERSION));
  }

  /**
   * Whether any of the (possibly repeated, comma-separated) Accept values admits the type. No
   * Accept at all admits everything, as registries do for clients that send none.
   */
  static boolean accepts(List<String> acceptHeaders, String mediaType) {
    boolean any = false;
    for (String header : acceptHeaders) {
      for (String part : header.split(",")) {
        String[] params = part.split(";");
        String type = params[0].trim().toLowerCase(Locale.ROOT);
        if (type.isEmpty()) continue;
        any = true;
        boolean refused = false;
        for (int i = 1; i < params.length; i++) {
          String p = params[i].trim().replace(" ", "");
          if (p.equals("q=0") || p.matches("q=0\\.0{0,3}")) refused = true;
        }
        if (refused) continue;
        if (type.equals(mediaType) || type.equals("*/*") || type.equals("application/*")) return true;
      }
    }
    return !any;
  }

  private Reply blob(GenerationView generation, OciIndex.Repository repo, String reference) throws IOException {
    if (repo == null) return error(404, "NAME_UNKNOWN", "repository name not known to registry");
    if (!OciNames.isDigest(reference)) return digestInvalid();
    Long size = repo.blobs().get(reference);
    if (size == null) {
      OciIndex.ManifestEntry m = repo.manifests().get(reference);
      if (m != null) size = m.size();
    }
    if (size == null) return error(404, "BLOB_UNKNOWN", "blob unknown to registry");
    Optional<Resource> r = generation.openBlob(Digest.parse(reference), size, Resource.OCTET_STREAM);
    if (r.isEmpty()) return error(404, "BLOB_UNKNOWN", "blob unknown to registry");
    return Reply.of(r.get().withHeader("Docker-Content-Digest", reference).withHeader(API_VERSION_HEADER, API_VERSION));
  }

  private Reply tags(GenerationView generation, String name, RouteRequest request) {
    OciIndex.Repository repo = OciNames.isRepository(name) ? index(generation).repositories().get(name) : null;
    if (repo == null) return error(404, "NAME_UNKNOWN", "repository name not known to registry");
    Map<String, String> query = query(request.rawQuery());
    if (query == null) return error(400, "PAGINATION_NUMBER_INVALID", "invalid query");
    int n = MAX_PAGE;
    if (query.containsKey("n")) {
      String v = query.get("n");
      if (!v.matches("[0-9]{1,9}")) return error(400, "PAGINATION_NUMBER_INVALID", "invalid number of results requested");
      n = Math.min(Integer.parseInt(v), MAX_PAGE);
    }
    String last = query.get("last");
    List<String> page = new ArrayList<>();
    boolean more = false;
    for (String tag : repo.tags().keySet()) { // sorted (TreeMap)
      if (last != null && tag.compareTo(last) <= 0) continue;
      if (page.size() == n) {
        more = true;
        break;
      }
      page.add(tag);
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("name", name);
    ArrayNode list = body.putArray("tags");
    page.forEach(list::add);
    Reply.Fixed reply = Reply.json(200, bytes(body)).withHeader(API_VERSION_HEADER, API_VERSION);
    if (more && !page.isEmpty()) {
      reply = reply.withHeader("Link", "</v2/" + name + "/tags/list?n=" + n + "&last=" + page.get(page.size() - 1) + ">; rel=\"next\"");
    }
    return reply;
  }

  private Reply referrers(OciIndex.Repository repo, String reference, RouteRequest request) {
    if (!OciNames.isDigest(reference)) return digestInvalid();
    Map<String, String> query = query(request.rawQuery());
    String artifactType = query == null ? null : query.get("artifactType");
    ObjectNode body = JSON.createObjectNode();
    body.put("schemaVersion", 2);
    body.put("mediaType", OciMediaTypes.OCI_INDEX);
    ArrayNode list = body.putArray("manifests");
    if (repo != null) {
      repo.manifests().forEach((digest, m) -> {
        if (!reference.equals(m.subject())) return;
        if (artifactType != null && !artifactType.equals(m.artifactType())) return;
        ObjectNode d = list.addObject();
        d.put("mediaType", m.mediaType());
        d.put("digest", digest);
        d.put("size", m.size());
        if (m.artifactType() != null) d.put("artifactType", m.artifactType());
        if (m.annotations() != null && !m.annotations().isEmpty()) {
          ObjectNode a = d.putObject("annotations");
          m.annotations().forEach(a::put);
        }
      });
    }
    // The spec forbids 404 here: an unknown subject has an empty list of referrers.
    Reply.Fixed reply = Reply.fixed(200, OciMediaTypes.OCI_INDEX, bytes(body)).withHeader(API_VERSION_HEADER, API_VERSION);
    return artifactType != null ? reply.withHeader("OCI-Filters-Applied", "artifactType") : reply;
  }

  /** Query parameters, each decoded once; null when malformed. Repeated names keep the first. */
  private static Map<String, String> query(String raw) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) return out;
    if (raw.length() > 4096) return null;
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      try {
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.putIfAbsent(k, v);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return out;
  }

  @Override
  public Reply notFound(RouteRequest request) {
    if (request.path().isEmpty() && !request.method().equals("POST")) return base();
    return error(404, "NAME_UNKNOWN", "repository name not known to registry");
  }

  @Override
  public Reply methodNotAllowed(RouteRequest request) {
    return error(405, "UNSUPPORTED", "this registry is a read-only mirror: pushes and deletes are not supported").withHeader("Allow", "GET, HEAD");
  }

  /**
   * A digest that is not {@code sha256:<64 lowercase hex>}, the only algorithm the mirror stores:
   * 400 as the spec requires for referrers and as registries answer for blobs and manifests too
   * (an unsupported algorithm is refused alike). One wording for all three, about the request
   * rather than an upload.
   */
  static Reply.Fixed digestInvalid() {
    return error(400, "DIGEST_INVALID", DIGEST_INVALID_MESSAGE);
  }

  /** A distribution-spec error body; the message is fixed text, never an echo of the request. */
  static Reply.Fixed error(int status, String code, String message) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode e = body.putArray("errors").addObject();
    e.put("code", code);
    e.put("message", message);
    return Reply.json(status, bytes(body)).withHeader(API_VERSION_HEADER, API_VERSION);
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

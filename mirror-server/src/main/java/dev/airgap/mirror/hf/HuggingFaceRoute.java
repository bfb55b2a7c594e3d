package dev.airgap.mirror.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Json;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.mirror.hf.CardData;
import dev.airgap.core.mirror.hf.GitOids;
import dev.airgap.core.mirror.hf.HfIndex;
import dev.airgap.mirror.GenerationView;
import dev.airgap.mirror.MirrorPaths;
import dev.airgap.mirror.MirrorRoute;
import dev.airgap.mirror.Reply;
import dev.airgap.mirror.Resource;
import dev.airgap.mirror.RouteRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code /hf/...}: a Hub-compatible read-only API over {@code hf/index.json}, so that Hugging Face
 * clients with {@code HF_ENDPOINT=http://HOST:PORT/hf} (Python) or {@code hubUrl} (JavaScript)
 * download unchanged (docs/hf.md). Repository info by revision (with the card data and the tags
 * it implies), refs and commits, the file tree with paging, the paths-info query (the one POST),
 * and file resolution with the hub's headers: {@code X-Repo-Commit}, an {@code ETag} that is the
 * SHA-256 for LFS files and the git blob id otherwise, and {@code X-Linked-Etag}/{@code
 * X-Linked-Size} for LFS files. Errors carry the hub's
 * {@code X-Error-Code}. Request text is only ever looked up in the index, never used as a file name.
 */
public final class HuggingFaceRoute implements MirrorRoute {
  public static final String PREFIX = "hf";
  static final int DEFAULT_PAGE = 1000;
  static final int MAX_PATHS_INFO_BODY = 1 << 20;
  private static final String INDEX_KEY = "hf:" + HfIndex.RELATIVE_PATH;
  private static final ObjectWriter JSON = Json.strict().writer().without(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper LENIENT = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern HOST = Pattern.compile("(\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9.-]{1,253})(:[0-9]{1,5})?");

  @Override
  public String prefix() {
    return PREFIX;
  }

  @Override
  public Set<String> extraMethods() {
    return Set.of("POST");
  }

  @Override
  public Reply notFound(RouteRequest request) {
    return error(404, "RepoNotFound", "Repository not found");
  }

  @Override
  public Reply reply(GenerationView generation, RouteRequest request) throws IOException {
    String decoded = MirrorPaths.decodePath(request.path());
    if (decoded == null || decoded.isEmpty()) return notFound(request);
    List<String> segments = Arrays.asList(decoded.split("/", -1));
    if (segments.contains("") || segments.contains(".") || segments.contains("..")) return notFound(request);
    HfIndex index = generation.memo(INDEX_KEY, g -> HfIndex.read(g.directory()));
    boolean post = request.method().equals("POST");
    if (segments.get(0).equals("api")) {
      if (segments.size() < 3) return notFound(request);
      String kind = switch (segments.get(1)) {
        case "models" -> HfIndex.MODEL;
        case "datasets" -> HfIndex.DATASET;
        default -> null;
      };
      if (kind == null) return notFound(request);
      return api(index, kind, segments.subList(2, segments.size()), request, post);
    }
    if (post) return methodNotAllowed(request);
    if (segments.get(0).equals("datasets")) return resolveFile(generation, index, HfIndex.DATASET, segments.subList(1, segments.size()), request);
    if (segments.get(0).equals("spaces")) return notFound(request);
    return resolveFile(generation, index, HfIndex.MODEL, segments, request);
  }

  /** A repository id at the start of {@code segments} (one or two segments) that the index knows. */
  private record Located(String id, HfIndex.Repo repo, List<String> rest) {}

  private static Located locate(HfIndex index, String kind, List<String> segments) {
    if (segments.size() >= 2) {
      String two = segments.get(0) + "/" + segments.get(1);
      HfIndex.Repo r = index.repo(kind, two);
      if (r != null) return new Located(two, r, segments.subList(2, segments.size()));
    }
    HfIndex.Repo r = index.repo(kind, segments.get(0));
    return r == null ? null : new Located(segments.get(0), r, segments.subList(1, segments.size()));
  }

  // ---- /api/{models|datasets}/{repo}[/revision/{rev} | /tree/{rev}[/path] | /paths-info/{rev}] ----

  private Reply api(HfIndex index, String kind, List<String> segments, RouteRequest request, boolean post) throws IOException {
    Located at = locate(index, kind, segments);
    if (at == null) return error(404, "RepoNotFound", "Repository not found");
    List<String> rest = at.rest();
    if (post) {
      if (rest.size() != 2 || !rest.get(0).equals("paths-info")) return methodNotAllowed(request);
      String commit = at.repo().resolve(rest.get(1));
      if (commit == null) return revisionNotFound(rest.get(1));
      return pathsInfo(at.repo(), commit, request);
    }
    if (rest.isEmpty()) return info(kind, at, at.repo().head());
    String what = rest.get(0);
    if (rest.size() == 1 && what.equals("refs")) return refs(at.repo(), request);
    boolean known = what.equals("revision") || what.equals("tree") || what.equals("commits");
    if (rest.size() < 2 || !known) return error(404, "EntryNotFound", "Entry not found");
    String commit = at.repo().resolve(rest.get(1));
    if (commit == null) return revisionNotFound(rest.get(1));
    if (what.equals("revision")) return rest.size() == 2 ? info(kind, at, commit) : error(404, "EntryNotFound", "Entry not found");
    if (what.equals("commits")) return rest.size() == 2 ? commits(at.repo(), commit, request) : error(404, "EntryNotFound", "Entry not found");
    return tree(kind, at, rest.get(1), commit, String.join("/", rest.subList(2, rest.size())), request);
  }

  /**
   * {@code GET /api/{kind}s/{repo}/refs}: the exported branches (and {@code main}, which always
   * resolves) and tags with their commits, as {@code list_repo_refs} reads them; no converts, and
   * no pull requests ({@code include_prs=1} gets an empty list).
   */
  private Reply refs(HfIndex.Repo repo, RouteRequest request) throws IOException {
    ObjectNode o = NODES.objectNode();
    ArrayNode branches = o.putArray("branches");
    Map<String, String> named = repo.branches();
    if (named.containsKey("main")) branches.add(ref("main", "refs/heads/main", named.get("main")));
    named.forEach((name, commit) -> {
      if (!name.equals("main")) branches.add(ref(name, "refs/heads/" + name, commit));
    });
    o.putArray("converts");
    ArrayNode tags = o.putArray("tags");
    repo.tags().forEach(name -> tags.add(ref(name, "refs/tags/" + name, repo.refs().get(name))));
    if (query(request.rawQuery()).containsKey("include_prs")) o.putArray("pullRequests");
    return Reply.json(200, JSON.writeValueAsBytes(o));
  }

  private static ObjectNode ref(String name, String ref, String commit) {
    return NODES.objectNode().put("name", name).put("ref", ref).put("targetCommit", commit);
  }

  /**
   * {@code GET /api/{kind}s/{repo}/commits/{rev}}: the revision's commit, the only one of its
   * history the mirror holds (what came before it was not carried), dated by its import; with
   * {@code expand[]=formatted}, the same text under {@code formatted}.
   */
  private Reply commits(HfIndex.Repo repo, String commit, RouteRequest request) throws IOException {
    HfIndex.Commit c = repo.commits().get(commit);
    ArrayNode list = NODES.arrayNode();
    ObjectNode o = list.addObject();
    String title = "airgap import";
    String message = "Imported with bundle " + c.bundleId();
    o.put("id", commit);
    o.put("title", title);
    o.put("message", message);
    o.putArray("authors");
    o.put("date", c.imported().toString());
    if (form(request.rawQuery() == null ? "" : request.rawQuery()).getOrDefault("expand[]", List.of()).contains("formatted")) {
      o.putObject("formatted").put("title", title).put("message", message);
    }
    return Reply.json(200, JSON.writeValueAsBytes(list));
  }

  private Reply info(String kind, Located at, String commit) throws IOException {
    HfIndex.Commit c = at.repo().commits().get(commit);
    ObjectNode o = NODES.objectNode();
    o.put("_id", HexFormat.of().formatHex(sha1("airgap:" + kind + ":" + at.id()), 0, 12));
    o.put("id", at.id());
    if (kind.equals(HfIndex.MODEL)) o.put("modelId", at.id());
    int slash = at.id().indexOf('/');
    if (slash > 0) o.put("author", at.id().substring(0, slash));
    o.put("sha", commit);
    o.put("lastModified", c.imported().toString());
    o.put("createdAt", c.imported().toString());
    o.put("private", false);
    o.put("disabled", false);
    o.put("gated", false);
    o.put("downloads", 0);
    o.put("likes", 0);
    ObjectNode card = c.card();
    ArrayNode tags = o.putArray("tags");
    CardData.tags(kind, card).forEach(tags::add);
    if (kind.equals(HfIndex.MODEL)) {
      String pipeline = CardData.text(card, "pipeline_tag");
      String library = CardData.text(card, "library_name");
      if (pipeline != null) o.put("pipeline_tag", pipeline);
      if (library != null) o.put("library_name", library);
    }
    if (!card.isEmpty()) o.set("cardData", card);
    ArrayNode siblings = o.putArray("siblings");
    long used = 0;
    for (Map.Entry<String, HfIndex.File> e : c.files().entrySet()) {
      HfIndex.File f = e.getValue();
      ObjectNode s = siblings.addObject();
      s.put("rfilename", e.getKey());
      s.put("size", f.size());
      s.put("blobId", f.oid());
      if (f.lfs()) {
        ObjectNode lfs = s.putObject("lfs");
        lfs.put("sha256", f.sha256().hex());
        lfs.put("size", f.size());
        lfs.put("pointerSize", GitOids.lfsPointer(f.sha256(), f.size()).length);
      }
      used += f.size();
    }
    o.put("usedStorage", used);
    return Reply.json(200, JSON.writeValueAsBytes(o));
  }

  private Reply tree(String kind, Located at, String revision, String commit, String path, RouteRequest request) throws IOException {
    HfIndex.Commit c = at.repo().commits().get(commit);
    Map<String, String> query = query(request.rawQuery());
    boolean recursive = "true".equalsIgnoreCase(query.getOrDefault("recursive", "false")) || "1".equals(query.get("recursive"));
    boolean expand = "true".equalsIgnoreCase(query.getOrDefault("expand", "false")) || "1".equals(query.get("expand"));
    int limit = boundedInt(query.get("limit"), DEFAULT_PAGE, 1, DEFAULT_PAGE);
    int cursor = boundedInt(query.get("cursor"), 0, 0, Integer.MAX_VALUE);
    if (!path.isEmpty() && LogicalPath.problem(path) != null) return error(404, "EntryNotFound", "Entry not found");
    NavigableMap<String, Entry> entries = entries(c);
    if (!path.isEmpty() && !(entries.containsKey(path) && entries.get(path).file() == null)) return error(404, "EntryNotFound", "Entry not found");
    String base = path.isEmpty() ? "" : path + "/";
    List<Map.Entry<String, Entry>> listed = new ArrayList<>();
    for (Map.Entry<String, Entry> e : entries.tailMap(base, true).entrySet()) {
      String p = e.getKey();
      if (!p.startsWith(base)) break;
      if (p.equals(path)) continue;
      if (!recursive && p.indexOf('/', base.length()) >= 0) continue;
      listed.add(e);
    }
    ArrayNode page = NODES.arrayNode();
    int end = (int) Math.min(listed.size(), (long) cursor + limit);
    for (int i = Math.min(cursor, listed.size()); i < end; i++) page.add(entryJson(listed.get(i).getKey(), listed.get(i).getValue(), commit, c, expand));
    Reply.Fixed reply = Reply.json(200, JSON.writeValueAsBytes(page));
    if (end < listed.size()) {
      String url = baseUrl(request) + "/" + PREFIX + "/api/" + kind + "s/" + at.id() + "/tree/" + encode(revision) + (path.isEmpty() ? "" : "/" + encodePath(path))
          + "?recursive=" + recursive + "&expand=" + expand + "&limit=" + limit + "&cursor=" + end;
      reply = reply.withHeader("Link", "<" + url + ">; rel=\"next\"");
    }
    return reply;
  }

  private Reply pathsInfo(HfIndex.Repo repo, String commit, RouteRequest request) throws IOException {
    byte[] body = request.readBody(MAX_PATHS_INFO_BODY);
    String contentType = Optional.ofNullable(request.header("Content-Type")).orElse("").toLowerCase(Locale.ROOT);
    List<String> paths = new ArrayList<>();
    boolean expand = false;
    if (contentType.startsWith("application/json")) {
      JsonNode n;
      try {
        n = LENIENT.readTree(body);
      } catch (IOException e) {
        return error(400, "BadRequest", "Invalid JSON body");
      }
      if (n == null || !n.isObject() || !n.path("paths").isArray()) return error(400, "BadRequest", "Expected {\"paths\": [...]}");
      n.get("paths").forEach(p -> paths.add(p.asText()));
      expand = n.path("expand").asBoolean(false);
    } else {
      Map<String, List<String>> form = form(new String(body, StandardCharsets.UTF_8));
      paths.addAll(form.getOrDefault("paths", List.of()));
      expand = form.getOrDefault("expand", List.of("false")).stream().anyMatch(v -> v.equalsIgnoreCase("true") || v.equals("1"));
    }
    HfIndex.Commit c = repo.commits().get(commit);
    NavigableMap<String, Entry> entries = entries(c);
    ArrayNode out = NODES.arrayNode();
    for (String p : new java.util.LinkedHashSet<>(paths)) {
      Entry e = entries.get(p);
      if (e != null) out.add(entryJson(p, e, commit, c, expand));
    }
    return Reply.json(200, JSON.writeValueAsBytes(out));
  }

  /** Files and the directories they imply, by path. */
  private record Entry(HfIndex.File file) {}

  private static NavigableMap<String, Entry> entries(HfIndex.Commit c) {
    NavigableMap<String, Entry> m = new TreeMap<>();
    for (Map.Entry<String, HfIndex.File> e : c.files().entrySet()) {
      m.put(e.getKey(), new Entry(e.getValue()));
      String p = e.getKey();
      for (int i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) m.putIfAbsent(p.substring(0, i), new Entry(null));
    }
    return m;
  }

  private static ObjectNode entryJson(String path, Entry e, String commit, HfIndex.Commit c, boolean expand) {
    ObjectNode o = NODES.objectNode();
    HfIndex.File f = e.file();
    if (f == null) {
      o.put("type", "directory");
      o.put("oid", HexFormat.of().formatHex(sha1("tree:" + commit + ":" + path)));
      o.put("size", 0);
      o.put("path", path);
    } else {
      o.put("type", "file");
      o.put("oid", f.oid());
      o.put("size", f.size());
      o.put("path", path);
      if (f.lfs()) {
        ObjectNode lfs = o.putObject("lfs");
        lfs.put("oid", f.sha256().hex());
        lfs.put("size", f.size());
        lfs.put("pointerSize", GitOids.lfsPointer(f.sha256(), f.size()).length);
      }
    }
    if (expand) {
      ObjectNode last = o.putObject("lastCommit");
      last.put("id", commit);
      last.put("title", "airgap import");
      last.put("date", c.imported().toString());
    }
    return o;
  }

  // ---- /{repo}/resolve/{rev}/{path} and /datasets/{repo}/resolve/{rev}/{path} -------------------

  private Reply resolveFile(GenerationView generation, HfIndex index, String kind, List<String> segments, RouteRequest request) throws IOException {
    if (segments.isEmpty()) return notFound(request);
    Located at = locate(index, kind, segments);
    if (at == null) return error(404, "RepoNotFound", "Repository not found");
    List<String> rest = at.rest();
    if (rest.size() < 3 || !rest.get(0).equals("resolve")) return error(404, "EntryNotFound", "Entry not found");
    String commit = at.repo().resolve(rest.get(1));
    if (commit == null) return revisionNotFound(rest.get(1));
    String path = String.join("/", rest.subList(2, rest.size()));
    HfIndex.File f = at.repo().commits().get(commit).files().get(path);
    if (f == null) return error(404, "EntryNotFound", "Entry not found").withHeader("X-Repo-Commit", commit);
    String name = path.substring(path.lastIndexOf('/') + 1);
    Optional<Resource> blob = generation.openBlob(f.sha256(), f.size(), mediaType(name));
    if (blob.isEmpty()) return error(404, "EntryNotFound", "Entry not found");
    Resource r = blob.get().withEntityTag(f.entityTag()).withHeader("X-Repo-Commit", commit);
    if (f.lfs()) r = r.withHeader("X-Linked-Etag", "\"" + f.sha256().hex() + "\"").withHeader("X-Linked-Size", Long.toString(f.size()));
    return Reply.of(r);
  }

  private static String mediaType(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".json")) return "application/json";
    if (lower.endsWith(".txt") || lower.endsWith(".md")) return "text/plain; charset=utf-8";
    return Resource.OCTET_STREAM;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static Reply.Fixed revisionNotFound(String revision) {
    return error(404, "RevisionNotFound", "Invalid rev id: " + (revision.length() > 64 ? revision.substring(0, 64) : revision).replaceAll("[^A-Za-z0-9._-]", "?"));
  }

  /** A hub-style error: JSON {@code {"error": ...}} plus {@code X-Error-Code} / {@code X-Error-Message}. */
  static Reply.Fixed error(int status, String code, String message) {
    ObjectNode o = NODES.objectNode().put("error", message);
    try {
      return Reply.json(status, JSON.writeValueAsBytes(o)).withHeader("X-Error-Code", code).withHeader("X-Error-Message", message);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Absolute base URL for {@code Link} headers (the clients accept only absolute links): the
   * request's {@code Host} when it is a plain host[:port], and {@code X-Forwarded-Proto: https}
   * behind a TLS proxy.
   */
  private static String baseUrl(RouteRequest request) {
    String host = request.header("Host");
    if (host == null || !HOST.matcher(host).matches()) host = "localhost";
    String proto = "https".equalsIgnoreCase(request.header("X-Forwarded-Proto")) ? "https" : "http";
    return proto + "://" + host;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new LinkedHashMap<>();
    form(raw == null ? "" : raw).forEach((k, v) -> m.put(k, v.get(0)));
    return m;
  }

  private static Map<String, List<String>> form(String raw) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    if (raw.isEmpty()) return m;
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      try {
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        m.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      } catch (IllegalArgumentException e) {
        // a malformed pair is ignored, like any unknown parameter
      }
    }
    return m;
  }

  private static int boundedInt(String s, int dflt, int min, int max) {
    if (s == null || !s.matches("[0-9]{1,9}")) return dflt;
    return Math.max(min, Math.min(max, Integer.parseInt(s)));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String encodePath(String p) {
    StringBuilder b = new StringBuilder();
    for (String s : p.split("/", -1)) {
      if (b.length() > 0) b.append('/');
      b.append(encode(s));
    }
    return b.toString();
  }

  private static byte[] sha1(String s) {
    MessageDigest md = GitOids.sha1();
    return md.digest(s.getBytes(StandardCharsets.UTF_8));
  }
}

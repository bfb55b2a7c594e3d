package dev.airgap.mirror.pypi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Json;
import dev.airgap.core.mirror.pypi.PipLocks;
import dev.airgap.core.mirror.pypi.PypiIndex;
import dev.airgap.core.mirror.pypi.PypiNames;
import dev.airgap.mirror.GenerationView;
import dev.airgap.mirror.MirrorPaths;
import dev.airgap.mirror.MirrorRoute;
import dev.airgap.mirror.Reply;
import dev.airgap.mirror.Resource;
import dev.airgap.mirror.RouteRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code /pypi/}: a PEP 503 / PEP 691 simple repository over the generation's {@code pypi/index.json}.
 *
 * <ul>
 *   <li>{@code /pypi/simple/} — the project list;
 *   <li>{@code /pypi/simple/<project>/} — the project page, HTML or JSON by {@code Accept} (q-values
 *       honoured; 406 when none of the three simple-API types is acceptable); a name that is not
 *       normalised, or a missing trailing slash, answers 301 to the normalised URL;
 *   <li>{@code /pypi/files/<project>/<file>} and {@code <file>.metadata} — the blobs, found
 *       through the index only;
 *   <li>{@code /pypi/lock/<channel>/<target>.txt} — the channel's pip lock for a target ({@code
 *       pip install --require-hashes -r}), and {@code /pypi/lock/<channel>/} its targets.
 * </ul>
 */
public final class PypiRoute implements MirrorRoute {
  public static final String PREFIX = "pypi";
  static final String JSON = "application/vnd.pypi.simple.v1+json";
  static final String HTML_V1 = "application/vnd.pypi.simple.v1+html";
  static final String TEXT_HTML = "text/html";
  private static final String INDEX_KEY = "pypi:" + PypiIndex.RELATIVE_PATH;
  private static final String DIST_MEDIA_TYPE = "application/octet-stream";
  private static final String METADATA_MEDIA_TYPE = "text/plain; charset=utf-8";
  private static final String LOCKS_KEY = "pypi:" + PipLocks.RELATIVE_PATH;
  private static final String LOCK_MEDIA_TYPE = "text/plain; charset=utf-8";

  @Override
  public String prefix() {
    return PREFIX;
  }

  @Override
  public Reply reply(GenerationView generation, RouteRequest request) throws IOException {
    String path = request.path();
    if (path.equals("simple")) return Reply.redirect(301, "/pypi/simple/");
    if (path.equals("simple/")) return page(generation, request, "");
    if (path.startsWith("simple/")) {
      String rest = path.substring("simple/".length());
      boolean slash = rest.endsWith("/");
      String raw = slash ? rest.substring(0, rest.length() - 1) : rest;
      String name = MirrorPaths.decodeSegment(raw);
      if (name == null || !PypiNames.isValid(name)) return notFound(request);
      String normalized = PypiNames.normalize(name);
      if (!slash || !normalized.equals(name)) return Reply.redirect(301, "/pypi/simple/" + normalized + "/");
      if (index(generation).project(normalized) == null) return notFound(request);
      return page(generation, request, normalized);
    }
    if (path.startsWith("files/")) {
      String[] parts = path.substring("files/".length()).split("/", -1);
      if (parts.length != 2) return notFound(request);
      String project = MirrorPaths.decodeSegment(parts[0]);
      String filename = MirrorPaths.decodeSegment(parts[1]);
      if (project == null || filename == null || !PypiNames.isNormalized(project)) return notFound(request);
      PypiIndex.Project p = index(generation).project(project);
      if (p == null) return notFound(request);
      PypiIndex.DistFile f = p.files().get(filename);
      Optional<Resource> r = Optional.empty();
      if (f != null) {
        r = generation.openBlob(f.sha256(), f.size(), DIST_MEDIA_TYPE);
      } else if (filename.endsWith(".metadata")) {
        PypiIndex.DistFile dist = p.files().get(filename.substring(0, filename.length() - ".metadata".length()));
        if (dist != null && dist.metadata() != null) r = generation.openBlob(dist.metadata().sha256(), dist.metadata().size(), METADATA_MEDIA_TYPE);
      }
      return r.isPresent() ? Reply.of(r.get()) : notFound(request);
    }
    if (path.startsWith("lock/")) return lock(generation, request, path.substring("lock/".length()));
    return notFound(request);
  }

  /**
   * {@code lock/<channel>/<target>.txt}: the channel's pip lock for one target, computed on import
   * from the verified manifest; {@code lock/<channel>/} lists the channel's targets, one a line.
   */
  private Reply lock(GenerationView generation, RouteRequest request, String rest) {
    String[] parts = rest.split("/", -1);
    if (parts.length != 2) return notFound(request);
    String channel = MirrorPaths.decodeSegment(parts[0]);
    if (channel == null) return notFound(request);
    PipLocks locks = generation.memo(LOCKS_KEY, g -> PipLocks.read(g.directory()));
    Map<String, PipLocks.Lock> byTarget = locks.channels().get(channel);
    if (byTarget == null) return notFound(request);
    if (parts[1].isEmpty()) {
      byte[] list = String.join("\n", byTarget.keySet()).concat("\n").getBytes(StandardCharsets.UTF_8);
      return Reply.of(Resource.ofBytes(list, LOCK_MEDIA_TYPE));
    }
    String file = MirrorPaths.decodeSegment(parts[1]);
    if (file == null || !file.endsWith(".txt")) return notFound(request);
    Optional<PipLocks.Lock> lock = locks.lock(channel, file.substring(0, file.length() - ".txt".length()));
    if (lock.isEmpty()) return notFound(request);
    return Reply.of(Resource.ofBytes(lock.get().text().getBytes(StandardCharsets.UTF_8), LOCK_MEDIA_TYPE, lock.get().sha256()));
  }

  private static PypiIndex index(GenerationView generation) {
    return generation.memo(INDEX_KEY, g -> PypiIndex.read(g.directory()));
  }

  /** A project page ({@code project} non-empty) or the project list, in the negotiated format. */
  private Reply page(GenerationView generation, RouteRequest request, String project) {
    String type = negotiate(request.headers("Accept"));
    if (type == null) return Reply.text(406, "not acceptable: ask for " + JSON + ", " + HTML_V1 + " or " + TEXT_HTML + "\n").withHeader("Vary", "Accept");
    // built and hashed once per generation: a page request costs a map lookup and a copy
    Page page = generation.memo("pypi:page:" + type + ":" + project, g -> {
      PypiIndex index = index(g);
      byte[] body;
      if (project.isEmpty()) body = type.equals(JSON) ? listJson(index) : listHtml(index);
      else body = type.equals(JSON) ? projectJson(index.project(project), project) : projectHtml(index.project(project), project);
      return new Page(body, dev.airgap.core.Digest.of(body));
    });
    String mediaType = type.equals(TEXT_HTML) ? "text/html; charset=utf-8" : type;
    return Reply.of(Resource.ofBytes(page.body(), mediaType, page.digest()).withHeader("Vary", "Accept"));
  }

  private record Page(byte[] body, dev.airgap.core.Digest digest) {}

  /**
   * Picks the representation by the client's {@code Accept} (RFC 9110 q-values; the most specific
   * matching range sets a type's q). No header means HTML. Ties go to the client-stated order's
   * most specific type, then to HTML, so {@code *}{@code /*} gets what a browser would.
   */
  static String negotiate(List<String> acceptHeaders) {
    if (acceptHeaders == null || acceptHeaders.isEmpty()) return TEXT_HTML;
    List<String[]> ranges = new ArrayList<>();
    for (String header : acceptHeaders) {
      for (String part : header.split(",")) {
        String[] params = part.split(";");
        String range = params[0].strip().toLowerCase(Locale.ROOT);
        if (range.isEmpty()) continue;
        String q = "1";
        for (int i = 1; i < params.length; i++) {
          String p = params[i].strip();
          if (p.toLowerCase(Locale.ROOT).startsWith("q=")) q = p.substring(2).strip();
        }
        ranges.add(new String[] {range, q});
      }
    }
    String best = null;
    double bestQ = 0;
    for (String type : List.of(TEXT_HTML, HTML_V1, JSON)) {
      double q = quality(type, ranges);
      if (q > bestQ) {
        bestQ = q;
        best = type;
      }
    }
    return best;
  }

  private static double quality(String type, List<String[]> ranges) {
    String major = type.substring(0, type.indexOf('/'));
    String latest = type.equals(JSON) ? "application/vnd.pypi.simple.latest+json" : type.equals(HTML_V1) ? "application/vnd.pypi.simple.latest+html" : null;
    int bestSpecificity = -1;
    double q = 0;
    for (String[] r : ranges) {
      int specificity = r[0].equals(type) || r[0].equals(latest) ? 2 : r[0].equals(major + "/*") ? 1 : r[0].equals("*/*") ? 0 : -1;
      if (specificity < 0 || specificity < bestSpecificity) continue;
      double value;
      try {
        value = Double.parseDouble(r[1]);
      } catch (NumberFormatException e) {
        value = 0;
      }
      if (Double.isNaN(value) || value < 0 || value > 1) value = 0;
      if (specificity > bestSpecificity) q = value;
      else q = Math.max(q, value);
      bestSpecificity = specificity;
    }
    return q;
  }

  private static byte[] listHtml(PypiIndex index) {
    StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Simple index</title>\n  </head>\n  <body>\n");
    for (String name : index.projects().keySet()) b.append("    <a href=\"").append(name).append("/\">").append(name).append("</a><br>\n");
    b.append("  </body>\n</html>\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] listJson(PypiIndex index) {
    ObjectNode root = Json.strict().createObjectNode();
    root.putObject("meta").put("api-version", "1.1");
    ArrayNode projects = root.putArray("projects");
    for (String name : index.projects().keySet()) projects.addObject().put("name", name);
    return bytes(root);
  }

  private static byte[] projectHtml(PypiIndex.Project p, String project) {
    StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n");
    b.append("    <title>Links for ").append(escape(project)).append("</title>\n  </head>\n  <body>\n    <h1>Links for ").append(escape(project)).append("</h1>\n");
    for (Map.Entry<String, PypiIndex.DistFile> e : p.files().entrySet()) {
      PypiIndex.DistFile f = e.getValue();
      b.append("    <a href=\"").append(escape(fileUrl(project, e.getKey()))).append("#sha256=").append(f.sha256().hex()).append('"');
      if (f.requiresPython() != null) b.append(" data-requires-python=\"").append(escape(f.requiresPython())).append('"');
      if (f.metadata() != null) {
        String m = "sha256=" + f.metadata().sha256().hex();
        b.append(" data-dist-info-metadata=\"").append(m).append("\" data-core-metadata=\"").append(m).append('"');
      }
      if (f.yanked() != null) b.append(" data-yanked=\"").append(escape(f.yanked())).append('"');
      b.append('>').append(escape(e.getKey())).append("</a><br>\n");
    }
    b.append("  </body>\n</html>\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] projectJson(PypiIndex.Project p, String project) {
    ObjectNode root = Json.strict().createObjectNode();
    root.putObject("meta").put("api-version", "1.1");
    root.put("name", project);
    TreeSet<String> versions = new TreeSet<>();
    ArrayNode files = root.putArray("files");
    for (Map.Entry<String, PypiIndex.DistFile> e : p.files().entrySet()) {
      PypiIndex.DistFile f = e.getValue();
      versions.add(f.version());
      ObjectNode o = files.addObject();
      o.put("filename", e.getKey());
      o.put("url", fileUrl(project, e.getKey()));
      o.putObject("hashes").put("sha256", f.sha256().hex());
      if (f.requiresPython() != null) o.put("requires-python", f.requiresPython());
      if (f.metadata() != null) {
        o.putObject("core-metadata").put("sha256", f.metadata().sha256().hex());
        o.putObject("dist-info-metadata").put("sha256", f.metadata().sha256().hex());
      } else {
        o.put("core-metadata", false);
        o.put("dist-info-metadata", false);
      }
      if (f.yanked() == null) o.put("yanked", false);
      else if (f.yanked().isEmpty()) o.put("yanked", true);
      else o.put("yanked", f.yanked());
      o.put("size", f.size());
    }
    ArrayNode v = root.putArray("versions");
    versions.forEach(v::add);
    return bytes(root);
  }

  /** Relative to {@code /pypi/simple/<project>/}; file names are encoded byte by byte outside a safe set. */
  static String fileUrl(String project, String filename) {
    return "../../files/" + project + "/" + encode(filename);
  }

  private static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~!$'()*+,;=:@".indexOf(c) >= 0) b.append(c);
      else b.append('%').append(String.format("%02X", (int) c));
    }
    return b.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return Json.strict().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(node);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

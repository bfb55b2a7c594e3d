package dev.airgap.exporter.source.pypi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airgap.core.Digest;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a project page of a simple repository: PEP 691 JSON or PEP 503 HTML (anchors with
 * {@code #sha256=} fragments and {@code data-*} attributes). Files without a SHA-256, with
 * unusable names, or of another project are left out: nothing is downloaded that cannot be verified.
 */
final class SimplePageParser {
  static final String JSON_TYPE = "application/vnd.pypi.simple.v1+json";
  private static final ObjectMapper LENIENT = new ObjectMapper();
  private static final Pattern ANCHOR = Pattern.compile("<a\\s([^>]*)>", Pattern.CASE_INSENSITIVE);
  private static final Pattern ATTRIBUTE = Pattern.compile("([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'=<>`]+)))?");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

  private SimplePageParser() {}

  static List<RemoteFile> parse(String project, byte[] body, String contentType, URI pageUrl, String origin) {
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    return type.startsWith(JSON_TYPE) || type.startsWith("application/vnd.pypi.simple.latest+json")
        ? parseJson(project, body, pageUrl, origin)
        : parseHtml(project, new String(body, StandardCharsets.UTF_8), pageUrl, origin);
  }

  static List<RemoteFile> parseHtml(String project, String html, URI pageUrl, String origin) {
    List<RemoteFile> out = new ArrayList<>();
    Matcher a = ANCHOR.matcher(html);
    while (a.find()) {
      Map<String, String> attrs = new HashMap<>();
      Matcher m = ATTRIBUTE.matcher(a.group(1));
      while (m.find()) {
        String v = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4) != null ? m.group(4) : "";
        attrs.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), unescape(v));
      }
      String href = attrs.get("href");
      if (href == null) continue;
      String metadata = attrs.containsKey("data-core-metadata") ? attrs.get("data-core-metadata") : attrs.get("data-dist-info-metadata");
      boolean offered = metadata != null && !metadata.equalsIgnoreCase("false");
      Digest metaHash = offered ? hashFromValue(metadata) : null;
      String yanked = attrs.containsKey("data-yanked") ? attrs.get("data-yanked") : null;
      RemoteFile f = file(project, href, pageUrl, null, emptyToNull(attrs.get("data-requires-python")), offered, metaHash, yanked, origin);
      if (f != null) out.add(f);
    }
    return out;
  }

  static List<RemoteFile> parseJson(String project, byte[] body, URI pageUrl, String origin) {
    JsonNode root;
    try {
      root = LENIENT.readTree(body);
    } catch (IOException e) {
      throw IntegrityException.malformed(pageUrl.toString(), "unreadable PEP 691 project page: " + e.getMessage());
    }
    List<RemoteFile> out = new ArrayList<>();
    for (JsonNode f : root.path("files")) {
      String url = f.path("url").asText(null);
      if (url == null) continue;
      String sha = f.path("hashes").path("sha256").asText(null);
      JsonNode meta = f.has("core-metadata") ? f.get("core-metadata") : f.has("dist-info-metadata") ? f.get("dist-info-metadata") : f.get("data-dist-info-metadata");
      boolean offered = meta != null && (meta.isObject() || meta.asBoolean(false));
      Digest metaHash = offered && meta.isObject() ? hexOrNull(meta.path("sha256").asText(null)) : null;
      JsonNode y = f.get("yanked");
      String yanked = y == null || (y.isBoolean() && !y.asBoolean()) ? null : y.isTextual() ? y.asText() : "";
      String rp = f.path("requires-python").isTextual() ? emptyToNull(f.get("requires-python").asText()) : null;
      RemoteFile rf = file(project, url, pageUrl, hexOrNull(sha), rp, offered, metaHash, yanked, origin);
      if (rf != null) out.add(rf);
    }
    return out;
  }

  private static RemoteFile file(String project, String href, URI pageUrl, Digest sha, String requiresPython, boolean offered, Digest metaHash, String yanked, String origin) {
    URI url;
    try {
      url = pageUrl.resolve(href.replace(" ", "%20"));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (sha == null && url.getRawFragment() != null) {
      String frag = url.getRawFragment();
      if (frag.startsWith("sha256=")) sha = hexOrNull(frag.substring(7));
    }
    if (sha == null) return null;
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("file")) return null;
    String path = url.getRawPath();
    if (path == null) return null;
    String last = URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
    DistFilename name = DistFilename.parse(last);
    if (name == null || !name.project().equals(project)) return null;
    String full = url.toString();
    int hash = full.indexOf('#');
    URI withoutFragment = hash < 0 ? url : URI.create(full.substring(0, hash));
    return new RemoteFile(name, withoutFragment, sha, requiresPython, offered, metaHash, yanked, null, origin);
  }

  private static Digest hashFromValue(String v) {
    return v != null && v.startsWith("sha256=") ? hexOrNull(v.substring(7)) : null;
  }

  private static Digest hexOrNull(String hex) {
    return hex != null && HEX64.matcher(hex).matches() ? Digest.ofHex(hex.toLowerCase(Locale.ROOT)) : null;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  static String unescape(String s) {
    if (s.indexOf('&') < 0) return s;
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int semi = c == '&' ? s.indexOf(';', i) : -1;
      if (semi < 0 || semi - i > 10) {
        b.append(c);
        continue;
      }
      String ent = s.substring(i + 1, semi);
      String rep = switch (ent) {
        case "amp" -> "&";
        case "lt" -> "<";
        case "gt" -> ">";
        case "quot" -> "\"";
        case "apos" -> "'";
        default -> {
          try {
            if (ent.startsWith("#x") || ent.startsWith("#X")) yield new String(Character.toChars(Integer.parseInt(ent.substring(2), 16)));
            if (ent.startsWith("#")) yield new String(Character.toChars(Integer.parseInt(ent.substring(1))));
          } catch (IllegalArgumentException e) {
            // not an entity
          }
          yield null;
        }
      };
      if (rep == null) {
        b.append(c);
      } else {
        b.append(rep);
        i = semi;
      }
    }
    return b.toString();
  }
}

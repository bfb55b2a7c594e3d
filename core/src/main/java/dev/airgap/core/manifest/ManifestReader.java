package dev.airgap.core.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads manifest JSON with Jackson's streaming parser into the manifest records, member by member:
 * every member required, unknown members and wrong JSON types rejected with the member's path
 * ({@code manifest.artifacts[3].files[0].sha256}). Duplicate names, nesting depth and string
 * length are refused by the parser the strict mapper configures. Data binding did the same job but
 * spent ~50 ms of a cold start introspecting the records for a 1,000-artifact manifest; this runs
 * on the import's critical path before any blob is read.
 */
final class ManifestReader {
  private static final Set<String> MANIFEST_MEMBERS = Set.of("formatVersion", "bundleId", "channel", "sequence", "created", "expires", "producer", "sbom", "artifacts");
  private static final Set<String> PRODUCER_MEMBERS = Set.of("tool", "version", "host");
  private static final Set<String> FILE_MEMBERS = Set.of("path", "size", "sha256", "mediaType");
  private static final Set<String> ARTIFACT_MEMBERS = Set.of("type", "name", "version", "purl", "properties", "files");

  private final JsonParser p;

  private ManifestReader(JsonParser parser) {
    this.p = parser;
  }

  /** Parses {@code bytes}; structural failures are {@link IntegrityException}s, Jackson's own are {@link IOException}s. */
  static Manifest read(byte[] bytes) throws IOException {
    try (JsonParser parser = Json.strict().getFactory().createParser(bytes)) {
      ManifestReader r = new ManifestReader(parser);
      if (parser.nextToken() == null) throw IntegrityException.malformed("manifest.json", "empty document");
      Manifest m = r.manifest();
      if (parser.nextToken() != null) throw IntegrityException.malformed("manifest.json", "trailing content after the manifest object");
      return m;
    }
  }

  private Manifest manifest() throws IOException {
    Map<String, Object> v = object("manifest", MANIFEST_MEMBERS, (name, at) -> switch (name) {
      case "formatVersion" -> intValue(at);
      case "sequence" -> longValue(at);
      case "bundleId", "channel" -> string(at);
      case "created", "expires" -> instant(at);
      case "producer" -> producer(at);
      case "sbom" -> sbom(at);
      default -> artifacts(at);
    });
    @SuppressWarnings("unchecked")
    List<Artifact> artifacts = (List<Artifact>) v.get("artifacts");
    return new Manifest((Integer) v.get("formatVersion"), (String) v.get("bundleId"), (String) v.get("channel"), (Long) v.get("sequence"),
        (Instant) v.get("created"), (Instant) v.get("expires"), (Producer) v.get("producer"), (SbomRef) v.get("sbom"), artifacts);
  }

  private Producer producer(String where) throws IOException {
    Map<String, Object> v = object(where, PRODUCER_MEMBERS, (name, at) -> nullableString(at));
    return new Producer((String) v.get("tool"), (String) v.get("version"), (String) v.get("host"));
  }

  private SbomRef sbom(String where) throws IOException {
    Map<String, Object> v = object(where, FILE_MEMBERS, (name, at) -> switch (name) {
      case "size" -> size(at);
      case "sha256" -> digest(at);
      default -> nullableString(at);
    });
    return new SbomRef((String) v.get("path"), (Long) v.get("size"), (Digest) v.get("sha256"), (String) v.get("mediaType"));
  }

  private List<Artifact> artifacts(String where) throws IOException {
    startArray(where);
    List<Artifact> artifacts = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) artifacts.add(artifact(where + "[" + artifacts.size() + "]"));
    return artifacts;
  }

  @SuppressWarnings("unchecked")
  private Artifact artifact(String where) throws IOException {
    Map<String, Object> v = object(where, ARTIFACT_MEMBERS, (name, at) -> switch (name) {
      case "properties" -> properties(at);
      case "files" -> files(at);
      default -> string(at);
    });
    return new Artifact((String) v.get("type"), (String) v.get("name"), (String) v.get("version"), (String) v.get("purl"),
        (Map<String, String>) v.get("properties"), (List<ArtifactFile>) v.get("files"));
  }

  private Map<String, String> properties(String where) throws IOException {
    startObject(where);
    Map<String, String> properties = new HashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      p.nextToken();
      properties.put(key, string(where + "." + key));
    }
    return properties;
  }

  private List<ArtifactFile> files(String where) throws IOException {
    startArray(where);
    List<ArtifactFile> files = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) files.add(file(where + "[" + files.size() + "]"));
    return files;
  }

  private ArtifactFile file(String where) throws IOException {
    Map<String, Object> v = object(where, FILE_MEMBERS, (name, at) -> switch (name) {
      case "path" -> LogicalPath.parse(at, string(at));
      case "size" -> size(at);
      case "sha256" -> digest(at);
      default -> string(at);
    });
    return new ArtifactFile((LogicalPath) v.get("path"), (Long) v.get("size"), (Digest) v.get("sha256"), (String) v.get("mediaType"));
  }

  /** Reads one member's value; the parser is on the value's first token. */
  @FunctionalInterface
  private interface MemberValue {
    Object read(String name, String at) throws IOException;
  }

  /**
   * Reads the object at the current token: every member must be one of {@code members} (each
   * once: the parser refuses duplicates) and all of them must be present.
   */
  private Map<String, Object> object(String where, Set<String> members, MemberValue value) throws IOException {
    startObject(where);
    Map<String, Object> v = new HashMap<>(16);
    while (nextMember(where, members)) {
      String name = p.currentName();
      p.nextToken();
      v.put(name, value.read(name, where + "." + name));
    }
    requireAll(where, members, v.keySet());
    return v;
  }

  // --- members and values -------------------------------------------------------------------

  /** Advances to the next member name; false at the object's end. Unknown names are refused. */
  private boolean nextMember(String where, Set<String> known) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.END_OBJECT) return false;
    String name = p.currentName();
    if (!known.contains(name)) throw IntegrityException.malformed(where, "unknown member '" + name + "' (known: " + new java.util.TreeSet<>(known) + ")");
    return true;
  }

  private static void requireAll(String where, Set<String> required, Set<String> seen) {
    if (seen.size() == required.size()) return;
    List<String> missing = required.stream().filter(m -> !seen.contains(m)).sorted().toList();
    throw IntegrityException.malformed(where, "missing member(s) " + missing);
  }

  private void startObject(String where) {
    if (p.currentToken() != JsonToken.START_OBJECT) throw wrongType(where, "an object");
  }

  private void startArray(String where) {
    if (p.currentToken() != JsonToken.START_ARRAY) throw wrongType(where, "an array");
  }

  private String string(String where) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) throw wrongType(where, "a string");
    return p.getText();
  }

  private String nullableString(String where) throws IOException {
    return p.currentToken() == JsonToken.VALUE_NULL ? null : string(where);
  }

  private long longValue(String where) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw wrongType(where, "an integer");
    }
    return p.getLongValue();
  }

  private int intValue(String where) throws IOException {
    long v = longValue(where);
    if (v != (int) v) throw IntegrityException.malformed(where, "out of range: " + v);
    return (int) v;
  }

  private long size(String where) throws IOException {
    long v = longValue(where);
    if (v < 0) throw IntegrityException.malformed(where, "negative size " + v);
    return v;
  }

  private Digest digest(String where) throws IOException {
    String text = string(where);
    try {
      return Digest.parse(text);
    } catch (IntegrityException e) {
      throw IntegrityException.malformed(where, e.getMessage());
    }
  }

  private Instant instant(String where) throws IOException {
    String text = string(where);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw IntegrityException.malformed(where, "not an RFC 3339 UTC instant: '" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'");
    }
  }

  private IntegrityException wrongType(String where, String expected) {
    String found = switch (p.currentToken()) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> String.valueOf(p.currentToken());
    };
    return IntegrityException.malformed(where, "expected " + expected + ", found " + found);
  }
}

package dev.airgap.sbom;

import static dev.airgap.sbom.SbomConventions.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Json;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.manifest.Manifest;
import java.io.IOException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.parsers.JsonParser;

/**
 * Verifies that a bundle's CycloneDX SBOM says exactly what its signed manifest says: spec version
 * 1.6, the bundle's serial number, and one component per artifact (same order, type, name,
 * version, purl, properties) with one file sub-component per file (same path, SHA-256, size, media
 * type), nothing extra and nothing missing. The JSON is parsed strictly (duplicate keys, trailing
 * content are errors) and validated against the CycloneDX 1.6 JSON schema bundled with CycloneDX
 * Core Java (no network). Every disagreement is an {@link IntegrityException} naming {@code
 * sbom.cdx.json} and the artifact or file at fault.
 */
public final class SbomChecker {
  private static final int MAX_SCHEMA_MESSAGES = 3;

  private SbomChecker() {}

  /**
   * Throws {@link IntegrityException} unless {@code sbomJson} agrees with {@code manifest}.
   *
   * <p>Fast path: an SBOM byte-identical to the one {@link SbomGenerator} writes for this manifest
   * is accepted without parsing it (the generator's output is schema-valid and agrees by
   * construction, both tested). That keeps heap and CPU proportional to one generation instead of
   * three parses plus a schema walk, which mattered at tens of thousands of files. Anything else —
   * another producer, another airgap version, a forgery — gets the full strict check below.
   */
  public static void check(byte[] sbomJson, Manifest manifest) {
    Objects.requireNonNull(manifest, "manifest");
    if (sbomJson == null || sbomJson.length == 0) throw fail("empty document");
    if (isWhatWeGenerate(sbomJson, manifest)) return;
    checkStrictly(sbomJson, manifest);
  }

  private static boolean isWhatWeGenerate(byte[] sbomJson, Manifest manifest) {
    try {
      return java.util.Arrays.equals(sbomJson, SbomGenerator.generate(manifest));
    } catch (IntegrityException | IllegalStateException | NullPointerException e) {
      return false; // values the generator refuses: the strict check names the problem
    }
  }

  /** The full check, whatever produced the document. Package-private for tests. */
  static void checkStrictly(byte[] sbomJson, Manifest manifest) {
    JsonNode tree = parseStrict(sbomJson);
    if (!"CycloneDX".equals(tree.path("bomFormat").asText(null))) throw fail("bomFormat is not 'CycloneDX'");
    String spec = tree.path("specVersion").asText(null);
    if (!SPEC.getVersionString().equals(spec)) throw fail("specVersion is '" + spec + "', expected '" + SPEC.getVersionString() + "'");
    validateSchema(tree);
    Bom bom = parseModel(sbomJson);

    String serial = serialNumber(manifest.bundleId());
    if (!serial.equals(bom.getSerialNumber())) {
      throw fail("serialNumber is '" + bom.getSerialNumber() + "', expected '" + serial + "' for bundle '" + manifest.bundleId() + "'");
    }
    checkMetadata(bom.getMetadata(), manifest);
    if (bom.getServices() != null && !bom.getServices().isEmpty()) throw fail("lists services; a bundle SBOM has none");
    checkArtifacts(orEmpty(bom.getComponents()), manifest.artifacts());
  }

  private static JsonNode parseStrict(byte[] bytes) {
    JsonNode tree;
    try {
      tree = Json.strict().readTree(bytes);
    } catch (JsonProcessingException e) {
      throw IntegrityException.malformed(FILE_NAME, "not valid JSON: " + firstLine(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw IntegrityException.malformed(FILE_NAME, "not valid JSON: " + firstLine(e.getMessage()), e);
    }
    if (tree == null || !tree.isObject()) throw fail("not a JSON object");
    return tree;
  }

  private static void validateSchema(JsonNode tree) {
    List<ParseException> errors;
    try {
      errors = new JsonParser().validate(tree, SPEC);
    } catch (IOException | RuntimeException e) {
      throw IntegrityException.malformed(FILE_NAME, "cannot validate against the CycloneDX " + SPEC.getVersionString() + " schema: " + e.getMessage(), e);
    }
    if (!errors.isEmpty()) {
      String shown = errors.stream().limit(MAX_SCHEMA_MESSAGES).map(Throwable::getMessage).collect(Collectors.joining("; "));
      String more = errors.size() > MAX_SCHEMA_MESSAGES ? " (+" + (errors.size() - MAX_SCHEMA_MESSAGES) + " more)" : "";
      throw fail("does not conform to the CycloneDX " + SPEC.getVersionString() + " schema: " + shown + more);
    }
  }

  private static Bom parseModel(byte[] bytes) {
    try {
      return new JsonParser().parse(bytes);
    } catch (ParseException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw IntegrityException.malformed(FILE_NAME, "not a CycloneDX document: " + firstLine(cause.getMessage()), e);
    }
  }

  private static void checkMetadata(Metadata meta, Manifest m) {
    if (meta == null) throw fail("metadata missing");
    Date expectedTime = m.created() == null ? null : Date.from(m.created().truncatedTo(ChronoUnit.SECONDS));
    if (!Objects.equals(expectedTime, meta.getTimestamp())) {
      throw fail("metadata.timestamp is " + instant(meta.getTimestamp()) + ", manifest created " + m.created());
    }
    Component b = meta.getComponent();
    if (b == null) throw fail("metadata.component (the bundle) missing");
    String where = "metadata.component";
    expect(where + " bom-ref", BUNDLE_REF, b.getBomRef());
    expect(where + " type", BUNDLE_TYPE, b.getType());
    expect(where + " name", BUNDLE_NAME_PREFIX + m.channel(), b.getName());
    expect(where + " version", Long.toString(m.sequence()), b.getVersion());
    if (b.getComponents() != null && !b.getComponents().isEmpty()) throw fail(where + " has sub-components");
    Map<String, String> props = new LinkedHashMap<>();
    props.put(PROP_BUNDLE_ID, m.bundleId());
    props.put(PROP_CHANNEL, m.channel());
    props.put(PROP_SEQUENCE, Long.toString(m.sequence()));
    checkProperties("metadata", props, meta.getProperties());
  }

  private static void checkArtifacts(List<Component> comps, List<Artifact> artifacts) {
    if (comps.size() != artifacts.size()) {
      int k = 0;
      while (k < comps.size() && k < artifacts.size() && sameIdentity(comps.get(k), artifacts.get(k))) k++;
      String counts = " (SBOM lists " + comps.size() + " components, manifest " + artifacts.size() + " artifacts)";
      if (comps.size() < artifacts.size()) {
        throw fail("component for " + describe(k, artifacts.get(k)) + " is missing" + counts);
      }
      Component extra = comps.get(k);
      throw fail("extra component '" + extra.getName() + "' (bom-ref " + extra.getBomRef() + ") at index " + k + " is not in the manifest" + counts);
    }
    for (int i = 0; i < artifacts.size(); i++) checkArtifact(i, artifacts.get(i), comps.get(i));
  }

  private static boolean sameIdentity(Component c, Artifact a) {
    return Objects.equals(c.getName(), a.name()) && Objects.equals(c.getVersion(), a.version()) && Objects.equals(c.getPurl(), a.purl());
  }

  private static void checkArtifact(int i, Artifact a, Component c) {
    String where = describe(i, a);
    if (!Objects.equals(c.getName(), a.name())) {
      throw fail(where + ": component at index " + i + " is named '" + c.getName() + "'");
    }
    expect(where + " bom-ref", artifactRef(i), c.getBomRef());
    expect(where + " type", componentType(a.type()), c.getType());
    expect(where + " version", a.version(), c.getVersion());
    expect(where + " purl", a.purl(), c.getPurl());
    Map<String, String> props = new LinkedHashMap<>();
    props.put(PROP_TYPE, a.type());
    a.properties().forEach((k, v) -> props.put(PROP_PREFIX + k, v));
    checkProperties(where, props, c.getProperties());

    List<Hash> hashes = orEmpty(c.getHashes());
    if (a.files().size() == 1) {
      checkSha256(where, a.files().get(0).sha256().hex(), hashes);
    } else if (!hashes.isEmpty()) {
      throw fail(where + ": has " + hashes.size() + " component hashes but " + a.files().size() + " files (only single-file artifacts carry one)");
    }

    List<Component> files = orEmpty(c.getComponents());
    List<ArtifactFile> expected = a.files();
    for (int j = 0; j < Math.max(files.size(), expected.size()); j++) {
      if (j >= files.size()) throw fail(where + " file '" + expected.get(j).path() + "' is missing from the SBOM");
      Component fc = files.get(j);
      if (j >= expected.size()) throw fail(where + ": extra file '" + fc.getName() + "' is not in the manifest");
      checkFile(where, i, j, expected.get(j), fc);
    }
  }

  private static void checkFile(String artifactWhere, int i, int j, ArtifactFile f, Component fc) {
    String where = artifactWhere + " file '" + f.path() + "'";
    if (!f.path().value().equals(fc.getName())) {
      throw fail(where + ": file component at index " + j + " is named '" + fc.getName() + "'");
    }
    expect(where + " bom-ref", fileRef(i, j), fc.getBomRef());
    expect(where + " type", Component.Type.FILE, fc.getType());
    checkSha256(where, f.sha256().hex(), orEmpty(fc.getHashes()));
    Map<String, String> props = new LinkedHashMap<>();
    props.put(PROP_SIZE, Long.toString(f.size()));
    props.put(PROP_MEDIA_TYPE, f.mediaType());
    checkProperties(where, props, fc.getProperties());
    if (fc.getComponents() != null && !fc.getComponents().isEmpty()) throw fail(where + ": has sub-components");
    if (fc.getPurl() != null || fc.getVersion() != null) throw fail(where + ": carries a version or purl");
  }

  private static void checkSha256(String where, String expectedHex, List<Hash> hashes) {
    if (hashes.size() != 1) throw fail(where + ": expected exactly one SHA-256 hash, found " + hashes.size() + " hashes");
    Hash h = hashes.get(0);
    if (!Hash.Algorithm.SHA_256.getSpec().equals(h.getAlgorithm())) {
      throw fail(where + ": hash algorithm is '" + h.getAlgorithm() + "', expected SHA-256");
    }
    if (!expectedHex.equals(h.getValue())) {
      throw fail(where + ": SHA-256 differs: manifest " + expectedHex + ", SBOM " + h.getValue());
    }
  }

  private static void checkProperties(String where, Map<String, String> expected, List<Property> actualList) {
    Map<String, String> actual = new LinkedHashMap<>();
    for (Property p : orEmpty(actualList)) {
      if (actual.put(p.getName(), p.getValue()) != null) throw fail(where + ": property '" + p.getName() + "' appears twice");
    }
    for (Map.Entry<String, String> e : expected.entrySet()) {
      if (!actual.containsKey(e.getKey())) throw fail(where + ": property '" + e.getKey() + "' missing");
      if (!Objects.equals(e.getValue(), actual.get(e.getKey()))) {
        throw fail(where + ": property '" + e.getKey() + "' is '" + actual.get(e.getKey()) + "', manifest says '" + e.getValue() + "'");
      }
    }
    for (String name : actual.keySet()) {
      if (!expected.containsKey(name)) throw fail(where + ": extra property '" + name + "'");
    }
  }

  private static void expect(String what, Object expected, Object actual) {
    if (!Objects.equals(expected, actual)) {
      throw fail(what + " is '" + text(actual) + "', manifest says '" + text(expected) + "'");
    }
  }

  private static String text(Object o) {
    return o instanceof Component.Type t ? t.getTypeName() : String.valueOf(o);
  }

  private static String describe(int i, Artifact a) {
    return "artifact[" + i + "] '" + a.name() + "'";
  }

  private static String instant(Date d) {
    return d == null ? "missing" : d.toInstant().toString();
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? new ArrayList<>() : list;
  }

  private static String firstLine(String s) {
    if (s == null) return "unknown error";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static IntegrityException fail(String what) {
    return IntegrityException.malformed(FILE_NAME, what);
  }
}

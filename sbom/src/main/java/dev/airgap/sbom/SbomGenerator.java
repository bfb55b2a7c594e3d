package dev.airgap.sbom;

import static dev.airgap.sbom.SbomConventions.*;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.manifest.Manifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * Writes the CycloneDX 1.6 JSON SBOM of a bundle from its manifest alone: one component per
 * artifact (in manifest order) with one nested {@code file} component per file, hashes taken from
 * the manifest's digests. The output is deterministic: the same manifest gives the same bytes. The
 * manifest's own {@code sbom} field is ignored (the SBOM's digest is put there afterwards).
 */
public final class SbomGenerator {
  /** Media type of the generated document. */
  public static final String MEDIA_TYPE = "application/vnd.cyclonedx+json";
  /** Conventional file name of the SBOM inside a bundle. */
  public static final String FILE_NAME = SbomConventions.FILE_NAME;


  private SbomGenerator() {}

  /**
   * Generates the SBOM (UTF-8 JSON, trailing newline). Values CycloneDX would not carry
   * faithfully (it trims surrounding whitespace) are refused first with an
   * {@link IntegrityException} rather than at import. Heap use is a small multiple of the model,
   * with no intermediate strings or trees.
   */
  public static byte[] generate(Manifest manifest) {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(manifest.created(), "manifest.created");
    manifest.requireTrimmedValues();
    Bom bom = toBom(manifest);
    // Tree straight to bytes: no intermediate strings, which at tens of thousands of files
    // cost several times the document's size in heap.
    return prettyPrint(new StreamingBomWriter(bom, SPEC));
  }

  static Bom toBom(Manifest m) {
    Bom bom = new Bom();
    bom.setVersion(1);
    bom.setSerialNumber(serialNumber(m.bundleId()));

    Metadata meta = new Metadata();
    meta.setTimestamp(Date.from(m.created()));
    Component tool = new Component();
    tool.setType(Component.Type.APPLICATION);
    tool.setName(TOOL_NAME);
    if (m.producer() != null && m.producer().version() != null) tool.setVersion(m.producer().version());
    ToolInformation tools = new ToolInformation();
    tools.setComponents(List.of(tool));
    meta.setToolChoice(tools);

    Component bundle = new Component();
    bundle.setType(BUNDLE_TYPE);
    bundle.setBomRef(BUNDLE_REF);
    bundle.setName(BUNDLE_NAME_PREFIX + m.channel());
    bundle.setVersion(Long.toString(m.sequence()));
    meta.setComponent(bundle);
    meta.setProperties(List.of(
        new Property(PROP_BUNDLE_ID, m.bundleId()),
        new Property(PROP_CHANNEL, m.channel()),
        new Property(PROP_SEQUENCE, Long.toString(m.sequence()))));
    bom.setMetadata(meta);

    List<Component> components = new ArrayList<>();
    for (int i = 0; i < m.artifacts().size(); i++) components.add(artifactComponent(i, m.artifacts().get(i)));
    bom.setComponents(components);
    return bom;
  }

  private static Component artifactComponent(int i, Artifact a) {
    Component c = new Component();
    c.setType(componentType(a.type()));
    c.setBomRef(artifactRef(i));
    c.setName(a.name());
    c.setVersion(a.version());
    c.setPurl(a.purl());
    if (a.files().size() == 1) c.setHashes(List.of(sha256(a.files().get(0))));
    List<Property> props = new ArrayList<>();
    props.add(new Property(PROP_TYPE, a.type()));
    for (Map.Entry<String, String> e : a.properties().entrySet()) props.add(new Property(PROP_PREFIX + e.getKey(), e.getValue()));
    c.setProperties(props);
    String license = a.properties().get(PROP_KEY_LICENSE);
    if (license != null && !license.isBlank()) {
      org.cyclonedx.model.License l = new org.cyclonedx.model.License();
      l.setName(license);
      org.cyclonedx.model.LicenseChoice choice = new org.cyclonedx.model.LicenseChoice();
      choice.addLicense(l);
      c.setLicenses(choice);
    }
    List<org.cyclonedx.model.ExternalReference> refs = new ArrayList<>();
    for (Map.Entry<String, org.cyclonedx.model.ExternalReference.Type> e : EXTERNAL_REFERENCE_KEYS.entrySet()) {
      String url = a.properties().get(e.getKey());
      if (url == null || url.isBlank()) continue;
      org.cyclonedx.model.ExternalReference ref = new org.cyclonedx.model.ExternalReference();
      ref.setType(e.getValue());
      ref.setUrl(url);
      refs.add(ref);
    }
    if (!refs.isEmpty()) c.setExternalReferences(refs);
    List<Component> files = new ArrayList<>();
    for (int j = 0; j < a.files().size(); j++) {
      ArtifactFile f = a.files().get(j);
      Component fc = new Component();
      fc.setType(Component.Type.FILE);
      fc.setBomRef(fileRef(i, j));
      fc.setName(f.path().value());
      fc.setHashes(List.of(sha256(f)));
      fc.setProperties(List.of(new Property(PROP_SIZE, Long.toString(f.size())), new Property(PROP_MEDIA_TYPE, f.mediaType())));
      files.add(fc);
    }
    if (!files.isEmpty()) c.setComponents(files);
    return c;
  }

  private static Hash sha256(ArtifactFile f) {
    return new Hash(Hash.Algorithm.SHA_256, f.sha256().hex());
  }

  private static byte[] prettyPrint(StreamingBomWriter writer) {
    try {
      DefaultIndenter lf = new DefaultIndenter("  ", "\n");
      DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
          .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
      printer.indentObjectsWith(lf);
      printer.indentArraysWith(lf);
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(1 << 16);
      writer.writeTo(out, printer);
      out.write('\n');
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("cannot re-indent generated SBOM", e);
    }
  }
}

package dev.airgap.sbom;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.model.Component;

/** The fixed names and mappings the generator writes and the checker expects; one place for both. */
final class SbomConventions {
  static final Version SPEC = Version.VERSION_16;
  static final String FILE_NAME = "sbom.cdx.json";

  static final String TOOL_NAME = "airgap";
  static final String BUNDLE_REF = "bundle";
  static final String BUNDLE_NAME_PREFIX = "airgap-bundle/";
  static final Component.Type BUNDLE_TYPE = Component.Type.DATA;

  static final String PROP_BUNDLE_ID = "airgap:bundleId";
  static final String PROP_CHANNEL = "airgap:channel";
  static final String PROP_SEQUENCE = "airgap:sequence";
  static final String PROP_TYPE = "airgap:type";
  static final String PROP_PREFIX = "airgap:prop:";
  static final String PROP_SIZE = "airgap:size";
  static final String PROP_MEDIA_TYPE = "airgap:mediaType";

  /**
   * Artifact property keys with a CycloneDX meaning beyond {@code airgap:prop:*}: {@code license}
   * becomes the component's license (by name), and these URLs become external references.
   */
  static final String PROP_KEY_LICENSE = "license";
  static final java.util.Map<String, org.cyclonedx.model.ExternalReference.Type> EXTERNAL_REFERENCE_KEYS = new java.util.TreeMap<>(java.util.Map.of(
      "vcs", org.cyclonedx.model.ExternalReference.Type.VCS,
      "website", org.cyclonedx.model.ExternalReference.Type.WEBSITE,
      "distribution", org.cyclonedx.model.ExternalReference.Type.DISTRIBUTION));

  private SbomConventions() {}

  /** CycloneDX component type for an airgap artifact type. */
  static Component.Type componentType(String artifactType) {
    return switch (artifactType) {
      case "model", "huggingface" -> Component.Type.MACHINE_LEARNING_MODEL;
      case "dataset", "huggingface-dataset" -> Component.Type.DATA;
      case "oci" -> Component.Type.CONTAINER;
      case "files", "pypi-lock" -> Component.Type.FILE;
      default -> Component.Type.LIBRARY;
    };
  }

  static String serialNumber(String bundleId) {
    return "urn:uuid:" + UUID.nameUUIDFromBytes(("airgap:" + bundleId).getBytes(StandardCharsets.UTF_8));
  }

  static String artifactRef(int index) {
    return "artifact-" + index;
  }

  static String fileRef(int artifactIndex, int fileIndex) {
    return "artifact-" + artifactIndex + "-file-" + fileIndex;
  }
}

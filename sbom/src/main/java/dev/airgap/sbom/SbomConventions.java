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

  private SbomConventions() {}

  /** CycloneDX component type for an airgap artifact type. */
  static Component.Type componentType(String artifactType) {
    return switch (artifactType) {
      case "model" -> Component.Type.MACHINE_LEARNING_MODEL;
      case "files" -> Component.Type.FILE;
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

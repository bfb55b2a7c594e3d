package dev.airgap.core.mirror.oci;

import java.util.Set;

/** The manifest and index media types the OCI slice carries (OCI image spec and Docker v2 schema 2). */
public final class OciMediaTypes {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";
  public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

  public static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_LIST);
  public static final Set<String> IMAGES = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
  public static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);

  /** Manifests larger than this are refused (the distribution spec's recommended limit). */
  public static final int MAX_MANIFEST_BYTES = 4 << 20;

  private OciMediaTypes() {}

  public static boolean isIndex(String mediaType) {
    return INDEXES.contains(mediaType);
  }

  public static boolean isManifest(String mediaType) {
    return MANIFESTS.contains(mediaType);
  }
}

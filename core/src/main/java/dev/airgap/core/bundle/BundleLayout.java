package dev.airgap.core.bundle;

import dev.airgap.core.Digest;
import java.util.regex.Pattern;

/** Entry names and limits of bundle format v1 (docs/bundle-format.md). */
public final class BundleLayout {
  public static final String MANIFEST = "manifest.json";
  public static final String ENVELOPE = "manifest.dsse.json";
  public static final String SBOM = "sbom.cdx.json";
  public static final String BLOB_PREFIX = "blobs/sha256/";
  public static final Pattern BLOB_NAME = Pattern.compile("blobs/sha256/[0-9a-f]{64}");

  public static final String SBOM_MEDIA_TYPE = "application/vnd.cyclonedx+json";
  public static final String ENVELOPE_PAYLOAD_TYPE = "application/vnd.airgap.manifest.v1+json";

  /** Head entries are read whole into memory; these caps keep a hostile head from exhausting it. */
  public static final long MAX_MANIFEST_BYTES = 64L << 20;
  public static final long MAX_ENVELOPE_BYTES = 96L << 20;
  public static final long MAX_SBOM_BYTES = 256L << 20;

  /** Entry mode, owner and mtime are fixed so equal inputs give equal bytes. */
  public static final int ENTRY_MODE = 0100644;

  private BundleLayout() {}

  public static String blobEntry(Digest digest) {
    return BLOB_PREFIX + digest.hex();
  }
}

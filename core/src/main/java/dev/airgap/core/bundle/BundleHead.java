package dev.airgap.core.bundle;

/**
 * The three head entries of a bundle, as raw bytes: the manifest, its DSSE envelope and the SBOM.
 * Reading them never touches the blobs that follow.
 */
public record BundleHead(byte[] manifestBytes, byte[] envelopeBytes, byte[] sbomBytes) {}

package dev.airgap.exporter;

import dev.airgap.core.manifest.Manifest;
import java.nio.file.Path;

/** The written bundle, its manifest and what it took. */
public record ExportResult(Path bundle, Manifest manifest, long bundleBytes, int blobCount, long blobBytes) {}

package dev.airgap.exporter.source;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;

/** Shared facilities for sources: where relative spec paths start, and a pool for hashing. */
public record ExportContext(Path baseDir, ExecutorService hashPool) {}

package dev.airgap.exporter.source.hf;

import dev.airgap.core.Digest;
import java.nio.file.Path;

/** One verified file of a repository snapshot: its repository path, content and where the bytes are. */
record RepoFile(String path, long size, Digest sha256, boolean lfs, Path onDisk) {}

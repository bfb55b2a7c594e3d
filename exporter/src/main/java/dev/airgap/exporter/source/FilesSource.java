package dev.airgap.exporter.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code type: files} — a plain file or a directory tree, served in the enclave at
 * {@code /files/<channel>/<prefix>/<relative path>}.
 */
public final class FilesSource implements ArtifactSource {
  @Override
  public String type() {
    return "files";
  }

  @Override
  public List<CollectedArtifact> collect(JsonNode node, String where, ExportContext context) {
    PathEntry e = SpecNodes.parse(node, where, PathEntry.class);
    Path root = context.baseDir().resolve(e.path()).normalize();
    String name = e.name() != null ? e.name() : fileName(root);
    String prefix = e.prefix() != null ? e.prefix() : (java.nio.file.Files.isDirectory(root) ? fileName(root) : "");
    String version = e.version() != null ? e.version() : "0";
    List<FileTree.HashedFile> hashed = FileTree.hash(root, prefix, context);
    List<ArtifactFile> files = hashed.stream().map(FileTree.HashedFile::file).toList();
    Artifact artifact = new Artifact("files", name, version, Purls.generic(name, version), Map.of(), files);
    return List.of(new CollectedArtifact(artifact, hashed.stream().map(FileTree.HashedFile::blobSource).toList()));
  }

  static String fileName(Path p) {
    Path n = p.toAbsolutePath().normalize().getFileName();
    return n == null ? "root" : n.toString();
  }
}

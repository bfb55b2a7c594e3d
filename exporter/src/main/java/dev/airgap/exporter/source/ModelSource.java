package dev.airgap.exporter.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.PickleFiles;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code type: model} — a model-weight directory (e.g. a Hugging Face–style snapshot with
 * {@code config.json} and {@code *.safetensors}), served like files at
 * {@code /files/<channel>/<prefix>/<relative path>}. Pickle-based weight files are flagged in the
 * manifest so reviewers and the import policy can see them.
 */
public final class ModelSource implements ArtifactSource {
  private static final Set<String> WEIGHT_EXTENSIONS = Set.of("safetensors", "gguf", "onnx", "h5", "msgpack", "tflite", "bin", "pt", "pth", "pkl", "pickle", "ckpt");

  @Override
  public String type() {
    return "model";
  }

  @Override
  public List<CollectedArtifact> collect(JsonNode node, String where, ExportContext context) {
    PathEntry e = SpecNodes.parse(node, where, PathEntry.class);
    Path root = context.baseDir().resolve(e.path()).normalize();
    if (!Files.isDirectory(root)) throw new UsageException(where + ": model path " + root + " is not a directory");
    CacheSnapshot snapshot = CacheSnapshot.of(root);
    String name = e.name() != null ? e.name() : snapshot != null ? snapshot.repo() : FilesSource.fileName(root);
    String version = e.version() != null ? e.version() : snapshot != null ? snapshot.commit() : "0";
    String prefix = e.prefix() != null ? e.prefix() : name;
    List<FileTree.HashedFile> hashed = FileTree.hash(root, prefix, context);
    List<ArtifactFile> files = hashed.stream().map(FileTree.HashedFile::file).toList();
    Artifact artifact = new Artifact("model", name, version, Purls.huggingface(name, version), describe(files), files);
    return List.of(new CollectedArtifact(artifact, hashed.stream().map(FileTree.HashedFile::blobSource).toList()));
  }

  /** Weight formats present and pickle-based files, recorded as artifact properties. */
  static Map<String, String> describe(List<ArtifactFile> files) {
    Set<String> formats = new TreeSet<>();
    List<String> pickles = new java.util.ArrayList<>();
    for (ArtifactFile f : files) {
      String ext = extension(f.path().value());
      if (WEIGHT_EXTENSIONS.contains(ext)) formats.add(ext);
      if (PickleFiles.isPickle(f.path().value())) pickles.add(f.path().value());
    }
    Map<String, String> props = new LinkedHashMap<>();
    props.put("weightFormats", String.join(",", formats));
    props.put("pickleFiles", String.join(",", pickles));
    return props;
  }

  private static String extension(String path) {
    int slash = path.lastIndexOf('/');
    String name = path.substring(slash + 1);
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** A Hugging Face cache snapshot: {@code .../models--ORG--NAME/snapshots/COMMIT}. */
  record CacheSnapshot(String repo, String commit) {
    static CacheSnapshot of(Path dir) {
      Path abs = dir.toAbsolutePath().normalize();
      Path snapshots = abs.getParent();
      if (snapshots == null || snapshots.getFileName() == null || !snapshots.getFileName().toString().equals("snapshots")) return null;
      Path repoDir = snapshots.getParent();
      if (repoDir == null || repoDir.getFileName() == null) return null;
      String dirName = repoDir.getFileName().toString();
      for (String kind : List.of("models--", "datasets--")) {
        if (dirName.startsWith(kind)) {
          return new CacheSnapshot(dirName.substring(kind.length()).replace("--", "/"), abs.getFileName().toString());
        }
      }
      return null;
    }
  }
}

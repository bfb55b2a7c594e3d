package dev.airgap.mirror.apt;

import dev.airgap.core.LogicalPath;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.mirror.apt.AptIndex;
import dev.airgap.core.mirror.apt.AptNames;
import dev.airgap.mirror.GenerationView;
import dev.airgap.mirror.MirrorPaths;
import dev.airgap.mirror.MirrorRoute;
import dev.airgap.mirror.Resource;
import dev.airgap.mirror.RouteRequest;
import java.io.IOException;
import java.util.Optional;

/**
 * {@code /apt/...}: the signed Debian repository of the current generation, as apt-get reads it
 * ({@code deb [signed-by=KEY] http://HOST:PORT/apt SUITE COMPONENT}). Only paths listed in
 * {@code apt/index.json} exist: pool files are served from the store by their indexed digest,
 * metadata files ({@code dists/...}, {@code key.asc}, {@code key.gpg}) from the generation
 * directory under the name the index gives them.
 */
public final class AptRoute implements MirrorRoute {
  public static final String PREFIX = "apt";
  private static final String INDEX_KEY = "apt:" + AptIndex.RELATIVE_PATH;

  @Override
  public String prefix() {
    return PREFIX;
  }

  @Override
  public Optional<Resource> resolve(GenerationView generation, RouteRequest request) throws IOException {
    String path = MirrorPaths.decodePath(request.path());
    if (path == null || path.isEmpty() || LogicalPath.problem(path) != null) return Optional.empty();
    AptIndex index = generation.memo(INDEX_KEY, g -> AptIndex.read(g.directory()));
    AptIndex.PoolEntry pooled = index.pool().get(path);
    if (pooled != null) return generation.openBlob(pooled.sha256(), pooled.size(), AptNames.MEDIA_TYPE);
    AptIndex.FileEntry file = index.files().get(path);
    if (file == null) return Optional.empty();
    // path is a key of the index the importer wrote (checked just above), so it names only a file the importer made.
    String indexed = path;
    Optional<Resource> r = generation.openGenerationFile(AptIndex.DIRECTORY + "/" + indexed, mediaType(indexed));
    if (r.isPresent() && r.get().size() != file.size()) {
      r.get().close();
      throw IntegrityException.malformed("apt file " + indexed, "size differs from the index");
    }
    return r;
  }

  static String mediaType(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (path.contains("/by-hash/")) return Resource.OCTET_STREAM;
    return switch (name) {
      case "InRelease", "Release", "Packages" -> "text/plain; charset=utf-8";
      case "Release.gpg" -> "application/pgp-signature";
      case "key.asc" -> "application/pgp-keys";
      case "key.gpg" -> "application/pgp-keys";
      case "Packages.gz" -> "application/gzip";
      case "Packages.xz" -> "application/x-xz";
      default -> Resource.OCTET_STREAM;
    };
  }
}

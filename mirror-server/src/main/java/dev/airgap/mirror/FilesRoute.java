package dev.airgap.mirror;

import dev.airgap.core.LogicalPath;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.mirror.FilesIndex;
import java.io.IOException;
import java.util.Optional;

/**
 * {@code /files/<channel>/<logical path>}: files and model weights exported with {@code --files} /
 * {@code --model}, at the logical path {@code airgap inspect} shows. The blob is found through the
 * generation's {@code files/index.json} only; the request path is never used as a file name.
 */
public final class FilesRoute implements MirrorRoute {
  public static final String PREFIX = "files";
  private static final String INDEX_KEY = "files:" + FilesIndex.RELATIVE_PATH;

  @Override
  public String prefix() {
    return PREFIX;
  }

  @Override
  public Optional<Resource> resolve(GenerationView generation, RouteRequest request) throws IOException {
    String raw = request.path();
    int slash = raw.indexOf('/');
    if (slash <= 0) return Optional.empty();
    String channel = MirrorPaths.decodeSegment(raw.substring(0, slash));
    if (channel == null || !Manifest.CHANNEL.matcher(channel).matches()) return Optional.empty();
    String path = MirrorPaths.decodePath(raw.substring(slash + 1));
    if (path == null || LogicalPath.problem(path) != null) return Optional.empty();
    FilesIndex index = generation.memo(INDEX_KEY, g -> FilesIndex.read(g.directory()));
    FilesIndex.Entry entry = index.lookup(channel, path);
    if (entry == null) return Optional.empty();
    return generation.openBlob(entry.sha256(), entry.size(), entry.mediaType());
  }
}

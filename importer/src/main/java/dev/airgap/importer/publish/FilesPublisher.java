package dev.airgap.importer.publish;

import dev.airgap.core.LogicalPath;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.mirror.FilesIndex;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Publishes {@code files} and {@code model} artifacts into {@code files/index.json}. Retention: a
 * channel keeps every path of earlier imports; a path in the new bundle replaces the older file.
 */
public final class FilesPublisher implements Publisher {
  private static final Set<String> TYPES = Set.of("files", "model");

  @Override
  public Set<String> types() {
    return TYPES;
  }

  @Override
  public void publish(PublishContext ctx) throws IOException {
    FilesIndex previous = ctx.previousGeneration().map(FilesIndex::read).orElse(FilesIndex.empty());
    Map<String, Map<String, FilesIndex.Entry>> channels = new HashMap<>();
    previous.channels().forEach((c, files) -> channels.put(c, new HashMap<>(files)));
    Map<String, FilesIndex.Entry> channel = channels.computeIfAbsent(ctx.manifest().channel(), c -> new HashMap<>());
    Map<String, String> byCollisionKey = new HashMap<>();
    for (String path : channel.keySet()) byCollisionKey.put(new LogicalPath(path).collisionKey(), path);
    for (Artifact a : ctx.artifactsOf(TYPES)) {
      for (ArtifactFile f : a.files()) {
        String earlier = byCollisionKey.putIfAbsent(f.path().collisionKey(), f.path().value());
        if (earlier != null && !earlier.equals(f.path().value())) {
          throw IntegrityException.malformed("channel '" + ctx.manifest().channel() + "'",
              "path '" + f.path() + "' collides with the published path '" + earlier + "' (case or Unicode collision)");
        }
        channel.put(f.path().value(), new FilesIndex.Entry(f.sha256(), f.size(), f.mediaType(), ctx.manifest().bundleId()));
      }
    }
    new FilesIndex(channels).write(ctx.newGeneration());
  }
}

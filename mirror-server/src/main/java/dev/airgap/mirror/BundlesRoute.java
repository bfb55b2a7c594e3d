package dev.airgap.mirror;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Json;
import dev.airgap.core.bundle.BundleLayout;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.manifest.ManifestCodec;
import dev.airgap.core.mirror.GenerationInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /bundles/...}, for reviewers: which bundles the current generation holds and their signed
 * metadata.
 *
 * <ul>
 *   <li>{@code /bundles/index.json}: {@code [{"bundleId","channel","sequence"}]}, sorted by channel
 *       and sequence;
 *   <li>{@code /bundles/<bundleId>/manifest.json}, {@code manifest.dsse.json}, {@code sbom.cdx.json}
 *       from {@code <generation>/bundles/<bundleId>/}.
 * </ul>
 *
 * The bundle id must match {@link Manifest#BUNDLE_ID} and the file name is one of a fixed three.
 */
public final class BundlesRoute implements MirrorRoute {
  public static final String PREFIX = "bundles";
  public static final String INDEX = "index.json";
  static final String DIRECTORY = "bundles";
  static final Map<String, String> FILES = Map.of(
      BundleLayout.MANIFEST, ManifestCodec.MEDIA_TYPE,
      BundleLayout.ENVELOPE, "application/vnd.dsse.envelope.v1+json",
      BundleLayout.SBOM, BundleLayout.SBOM_MEDIA_TYPE);
  private static final Logger LOG = LoggerFactory.getLogger(BundlesRoute.class);

  /** One line of {@code /bundles/index.json}. */
  @JsonPropertyOrder({"bundleId", "channel", "sequence"})
  public record Listed(String bundleId, String channel, long sequence) {}

  @Override
  public String prefix() {
    return PREFIX;
  }

  @Override
  public Optional<Resource> resolve(GenerationView generation, RouteRequest request) throws IOException {
    String raw = request.path();
    if (raw.equals(INDEX)) {
      byte[] body = generation.memo("bundles:index.json", BundlesRoute::listing);
      return Optional.of(Resource.ofBytes(body, "application/json"));
    }
    int slash = raw.indexOf('/');
    if (slash <= 0) return Optional.empty();
    String bundleId = MirrorPaths.decodeSegment(raw.substring(0, slash));
    String name = MirrorPaths.decodeSegment(raw.substring(slash + 1));
    if (bundleId == null || name == null || !Manifest.BUNDLE_ID.matcher(bundleId).matches()) return Optional.empty();
    String mediaType = FILES.get(name);
    if (mediaType == null) return Optional.empty();
    return generation.openGenerationFile(DIRECTORY + "/" + bundleId + "/" + name, mediaType);
  }

  /** Lists {@code <generation>/bundles/<id>/} directories whose manifest names that id. */
  static byte[] listing(GenerationView generation) {
    List<Listed> bundles = new ArrayList<>();
    Path dir = generation.directory().resolve(DIRECTORY);
    Map<String, GenerationInfo.ChannelState> heads = Files.exists(generation.directory().resolve(dev.airgap.core.mirror.MirrorLayout.GENERATION_FILE))
        ? generation.info().channels() : Map.of();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String id = entry.getFileName().toString();
        if (!Manifest.BUNDLE_ID.matcher(id).matches() || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) continue;
        Listed listed = describe(generation, id, heads);
        if (listed != null) bundles.add(listed);
      }
    } catch (NoSuchFileException e) {
      // no bundles directory: an empty list
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Map.Entry<String, GenerationInfo.ChannelState> head : heads.entrySet()) {
      String id = head.getValue().bundleId();
      if (bundles.stream().noneMatch(b -> b.bundleId().equals(id))) {
        bundles.add(new Listed(id, head.getKey(), head.getValue().sequence()));
      }
    }
    bundles.sort(Comparator.comparing(Listed::channel).thenComparingLong(Listed::sequence).thenComparing(Listed::bundleId));
    try {
      byte[] json = Json.strict().writeValueAsBytes(bundles);
      byte[] body = java.util.Arrays.copyOf(json, json.length + 1);
      body[json.length] = '\n';
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Listed describe(GenerationView generation, String id, Map<String, GenerationInfo.ChannelState> heads) {
    Path manifestFile = generation.directory().resolve(DIRECTORY).resolve(id).resolve(BundleLayout.MANIFEST);
    try {
      Optional<FileChannel> ch = GenerationView.openRegularFile(manifestFile);
      if (ch.isPresent()) {
        try (FileChannel c = ch.get()) {
          if (c.size() <= BundleLayout.MAX_MANIFEST_BYTES) {
            Manifest m = ManifestCodec.decode(Channels.newInputStream(c).readAllBytes());
            if (m.bundleId().equals(id)) return new Listed(id, m.channel(), m.sequence());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: bundle {} has an unreadable manifest: {}", generation, id, e.getMessage());
    }
    // Fall back to generation.json for a channel's last bundle; anything else is left out.
    for (Map.Entry<String, GenerationInfo.ChannelState> head : heads.entrySet()) {
      if (id.equals(head.getValue().bundleId())) return new Listed(id, head.getKey(), head.getValue().sequence());
    }
    LOG.warn("{}: bundle directory {} left out of /bundles/index.json", generation, id);
    return null;
  }
}

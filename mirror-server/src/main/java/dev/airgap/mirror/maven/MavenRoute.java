package dev.airgap.mirror.maven;

import dev.airgap.core.Digest;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.mirror.maven.MavenIndex;
import dev.airgap.mirror.GenerationView;
import dev.airgap.mirror.MirrorPaths;
import dev.airgap.mirror.MirrorRoute;
import dev.airgap.mirror.Resource;
import dev.airgap.mirror.RouteRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code /maven2/<repository path>}: a read-only maven2 repository for Maven, Gradle and other
 * clients (point a {@code <mirror>} with {@code mirrorOf *} at it). Serves
 *
 * <ul>
 *   <li>the published files, found through {@code maven/index.json} only;
 *   <li>{@code <groupPath>/<artifactId>/maven-metadata.xml}, rendered from the index's version list;
 *   <li>{@code .sha1}, {@code .sha256}, {@code .sha512} and {@code .md5} of both, from the index
 *       (files) or computed once per generation (metadata).
 * </ul>
 *
 * The request path is only ever a key into the index; it never names a file.
 */
public final class MavenRoute implements MirrorRoute {
  public static final String PREFIX = "maven2";
  private static final String INDEX_KEY = "maven2:" + MavenIndex.RELATIVE_PATH;
  private static final String METADATA = "maven-metadata.xml";
  private static final List<String> CHECKSUMS = List.of("sha1", "sha256", "sha512", "md5");
  private static final String CHECKSUM_TYPE = "text/plain; charset=us-ascii";
  private static final String XML_TYPE = "application/xml";

  @Override
  public String prefix() {
    return PREFIX;
  }

  @Override
  public Optional<Resource> resolve(GenerationView generation, RouteRequest request) throws IOException {
    String path = MirrorPaths.decodePath(request.path());
    if (path == null || LogicalPath.problem(path) != null) return Optional.empty();
    MavenIndex index = generation.memo(INDEX_KEY, g -> MavenIndex.read(g.directory()));
    MavenIndex.FileEntry file = index.files().get(path);
    if (file != null) return generation.openBlob(file.sha256(), file.size(), file.mediaType());
    Optional<RenderedMetadata> metadata = metadata(generation, index, path);
    if (metadata.isPresent()) return Optional.of(Resource.ofBytes(metadata.get().xml(), XML_TYPE, metadata.get().sha256()));
    int dot = path.lastIndexOf('.');
    if (dot < 0) return Optional.empty();
    String extension = path.substring(dot + 1);
    if (!CHECKSUMS.contains(extension)) return Optional.empty();
    String base = path.substring(0, dot);
    MavenIndex.FileEntry target = index.files().get(base);
    if (target != null) return Optional.of(checksumFile(target.checksum(extension)));
    Optional<RenderedMetadata> targetMetadata = metadata(generation, index, base);
    return targetMetadata.map(m -> checksumFile(m.checksum(extension)));
  }

  private static Resource checksumFile(String hex) {
    return Resource.ofBytes(hex.getBytes(StandardCharsets.US_ASCII), CHECKSUM_TYPE);
  }

  /** The metadata of {@code <groupPath>/<artifactId>/maven-metadata.xml}, rendered once per generation. */
  private static Optional<RenderedMetadata> metadata(GenerationView generation, MavenIndex index, String path) {
    if (!path.endsWith("/" + METADATA)) return Optional.empty();
    String key = path.substring(0, path.length() - METADATA.length() - 1);
    MavenIndex.ArtifactVersions versions = index.metadata().get(key);
    if (versions == null) return Optional.empty();
    return Optional.of(generation.memo("maven2:metadata:" + key, g -> RenderedMetadata.of(versions)));
  }

  /** A rendered {@code maven-metadata.xml} and its checksums. */
  record RenderedMetadata(byte[] xml, Digest sha256, String sha1, String sha512, String md5) {
    static RenderedMetadata of(MavenIndex.ArtifactVersions v) {
      byte[] xml = render(v).getBytes(StandardCharsets.UTF_8);
      HexFormat hex = HexFormat.of();
      return new RenderedMetadata(xml, Digest.of(xml), hex.formatHex(md("SHA-1").digest(xml)), hex.formatHex(md("SHA-512").digest(xml)), hex.formatHex(md("MD5").digest(xml)));
    }

    String checksum(String extension) {
      return switch (extension) {
        case "sha1" -> sha1;
        case "sha256" -> sha256.hex();
        case "sha512" -> sha512;
        default -> md5;
      };
    }
  }

  static String render(MavenIndex.ArtifactVersions v) {
    StringBuilder b = new StringBuilder();
    b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata>\n");
    b.append("  <groupId>").append(xml(v.groupId())).append("</groupId>\n");
    b.append("  <artifactId>").append(xml(v.artifactId())).append("</artifactId>\n");
    b.append("  <versioning>\n");
    b.append("    <latest>").append(xml(v.latest())).append("</latest>\n");
    if (v.release() != null) b.append("    <release>").append(xml(v.release())).append("</release>\n");
    b.append("    <versions>\n");
    for (String version : v.versions()) b.append("      <version>").append(xml(version)).append("</version>\n");
    b.append("    </versions>\n");
    b.append("    <lastUpdated>").append(v.lastUpdated()).append("</lastUpdated>\n");
    b.append("  </versioning>\n</metadata>\n");
    return b.toString();
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static MessageDigest md(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " missing from the JDK", e);
    }
  }
}

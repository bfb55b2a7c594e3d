package dev.airgap.exporter.source.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.HashingCopy;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.mirror.oci.OciMediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * An OCI image layout: {@code index.json} names the tagged manifests (annotation {@code
 * org.opencontainers.image.ref.name}), blobs live at {@code blobs/sha256/<hex>}. Used for layout
 * directories and for archives unpacked into the work directory ({@code blobPath} maps a digest
 * to the file holding it). Every blob is hashed before it is used.
 */
final class LayoutSource implements ContentSource {
  static final String REF_NAME = "org.opencontainers.image.ref.name";

  private final String description;
  private final Function<Digest, Path> blobPath;
  private final Map<String, JsonNode> tagged;

  private LayoutSource(String description, Function<Digest, Path> blobPath, Map<String, JsonNode> tagged) {
    this.description = description;
    this.blobPath = blobPath;
    this.tagged = tagged;
  }

  static LayoutSource ofDirectory(Path dir) {
    if (!Files.isDirectory(dir)) throw new UsageException("OCI layout " + dir + " is not a directory");
    Path blobs = dir.resolve("blobs").resolve("sha256");
    return of("layout " + dir, readIndex(dir.resolve("index.json")), d -> blobs.resolve(d.hex()));
  }

  static LayoutSource of(String description, JsonNode index, Function<Digest, Path> blobPath) {
    Map<String, JsonNode> tagged = new LinkedHashMap<>();
    JsonNode manifests = index.get("manifests");
    if (manifests == null || !manifests.isArray()) throw IntegrityException.malformed(description + " index.json", "no manifests array");
    for (JsonNode m : manifests) {
      JsonNode name = m.path("annotations").get(REF_NAME);
      if (name != null && name.isTextual()) tagged.putIfAbsent(name.asText(), m);
    }
    return new LayoutSource(description, blobPath, tagged);
  }

  static JsonNode readIndex(Path file) {
    try {
      if (Files.size(file) > OciMediaTypes.MAX_MANIFEST_BYTES) throw IntegrityException.malformed(file.toString(), "index.json too large");
      return Manifests.parse(Files.readAllBytes(file), file.toString());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UsageException(file + " does not exist: not an OCI image layout");
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
  }

  /** Tag → the reference ({@code name}, possibly a full image name) and descriptor in index.json. */
  Map<String, JsonNode> tagged() {
    return tagged;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public Optional<Fetched> manifest(String reference) {
    Digest digest;
    if (reference.startsWith("sha256:")) {
      digest = Digest.parse(reference);
    } else {
      JsonNode desc = tagged.get(reference);
      if (desc == null) return Optional.empty();
      digest = Manifests.digestOf(desc, description);
    }
    Path file = blobPath.apply(digest);
    if (file == null || !Files.isRegularFile(file)) return Optional.empty();
    try {
      if (Files.size(file) > OciMediaTypes.MAX_MANIFEST_BYTES) throw IntegrityException.malformed(description + " " + digest, "manifest too large");
      byte[] bytes = Files.readAllBytes(file);
      Digest actual = Digest.of(bytes);
      if (!actual.equals(digest)) throw IntegrityException.mismatch(description + " blob " + digest, digest, actual);
      return Optional.of(new Fetched(bytes, null, actual));
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
  }

  @Override
  public Path blob(Digest digest, long size) {
    Path file = blobPath.apply(digest);
    if (file == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
      throw new UsageException(description + ": blob " + digest + " is missing");
    }
    try (InputStream in = Files.newInputStream(file)) {
      HashingCopy.Result r = HashingCopy.hash(in, size);
      if (!r.digest().equals(digest)) throw IntegrityException.mismatch(description + " blob " + digest, digest, r.digest());
      if (size >= 0 && r.size() != size) throw IntegrityException.sizeMismatch(description + " blob " + digest, size, r.size());
      return file;
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
  }
}

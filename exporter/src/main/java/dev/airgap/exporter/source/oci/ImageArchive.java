package dev.airgap.exporter.source.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Digest;
import dev.airgap.core.HashingCopy;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.mirror.oci.OciMediaTypes;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A {@code docker save} / {@code podman save} archive, unpacked into the work directory and
 * presented as an OCI layout. Entry names are only ever keys: every regular file is written under
 * its own digest, never under its name, and links are resolved by name lookup inside the archive.
 * An archive with {@code oci-layout} + {@code index.json} (newer docker, {@code oci-archive}) is
 * read as the layout it is, keeping upstream digests; otherwise {@code manifest.json} (the docker
 * format) is turned into Docker v2 schema 2 manifests over the uncompressed layer tars, each layer
 * checked against the config's {@code rootfs.diff_ids}.
 */
final class ImageArchive {
  private static final int MAX_LINK_HOPS = 16;

  private record Stored(Digest digest, long size, Path file) {}

  private final Path archive;
  private final Map<String, Stored> files = new HashMap<>();
  private final Map<String, String> links = new HashMap<>();
  private final Map<Digest, Path> blobs = new HashMap<>();

  private ImageArchive(Path archive) {
    this.archive = archive;
  }

  static LayoutSource open(Path archive, Path workDir) {
    if (!Files.isRegularFile(archive)) throw new UsageException("image archive " + archive + " is not a file");
    ImageArchive a = new ImageArchive(archive);
    a.unpack(workDir);
    String description = "archive " + archive;
    if (a.files.containsKey("oci-layout") && a.files.containsKey("index.json")) {
      JsonNode index = a.json("index.json");
      return LayoutSource.of(description, index, d -> a.lookupBlob("blobs/sha256/" + d.hex(), d));
    }
    if (!a.files.containsKey("manifest.json")) throw new UsageException(description + ": neither manifest.json (docker save) nor index.json (OCI) found");
    return LayoutSource.of(description, a.dockerIndex(workDir), a.blobs::get);
  }

  private void unpack(Path workDir) {
    Path dir = workDir.resolve("oci-archive");
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
        TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
      Files.createDirectories(dir);
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String name = normalize(e.getName());
        if (name == null) continue;
        if (e.isSymbolicLink()) {
          int slash = name.lastIndexOf('/');
          String target = normalize((slash < 0 ? "" : name.substring(0, slash + 1)) + e.getLinkName());
          if (target != null) links.put(name, target);
        } else if (e.isLink()) {
          String target = normalize(e.getLinkName());
          if (target != null) links.put(name, target);
        } else if (e.isFile()) {
          Path temp = Files.createTempFile(dir, "entry", ".part");
          HashingCopy.Result r;
          try (OutputStream out = Files.newOutputStream(temp)) {
            r = HashingCopy.copy(tar, out, e.getSize());
          }
          Path target = VerifiedFiles.blobFile(workDir, r.digest());
          Files.createDirectories(target.getParent());
          if (Files.exists(target)) {
            Files.delete(temp);
          } else {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
          }
          files.put(name, new Stored(r.digest(), r.size(), target));
        }
      }
    } catch (IOException e) {
      throw EnvironmentException.io(archive, e);
    }
  }

  /** Collapses {@code .} and {@code ..} as a name lookup; null for names that leave the archive. */
  static String normalize(String name) {
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (String p : name.split("/")) {
      if (p.isEmpty() || p.equals(".")) continue;
      if (p.equals("..")) {
        if (parts.isEmpty()) return null;
        parts.removeLast();
      } else {
        parts.addLast(p);
      }
    }
    return parts.isEmpty() ? null : String.join("/", parts);
  }

  private Stored find(String name) {
    String n = normalize(name);
    for (int hop = 0; n != null && hop < MAX_LINK_HOPS; hop++) {
      Stored s = files.get(n);
      if (s != null) return s;
      n = links.get(n);
    }
    return null;
  }

  private Path lookupBlob(String name, Digest expected) {
    Stored s = find(name);
    if (s == null) return null;
    if (!s.digest().equals(expected)) throw IntegrityException.mismatch(archive + " " + name, expected, s.digest());
    return s.file();
  }

  private JsonNode json(String name) {
    Stored s = find(name);
    if (s == null) throw IntegrityException.malformed(archive.toString(), name + " is missing");
    if (s.size() > OciMediaTypes.MAX_MANIFEST_BYTES) throw IntegrityException.malformed(archive + " " + name, "too large");
    try {
      return Manifests.JSON.readTree(Files.readAllBytes(s.file()));
    } catch (IOException e) {
      throw IntegrityException.malformed(archive + " " + name, "unreadable JSON: " + e.getMessage(), e);
    }
  }

  /** Builds a schema 2 manifest per image of manifest.json and an index tagging each RepoTag. */
  private JsonNode dockerIndex(Path workDir) {
    JsonNode images = json("manifest.json");
    if (!images.isArray()) throw IntegrityException.malformed(archive + " manifest.json", "not an array");
    ObjectNode index = Manifests.JSON.createObjectNode();
    ArrayNode list = index.putArray("manifests");
    for (JsonNode image : images) {
      String where = archive + " manifest.json";
      Stored config = find(image.path("Config").asText(""));
      if (config == null) throw IntegrityException.malformed(where, "config " + image.path("Config").asText() + " is missing");
      JsonNode configJson = json(image.path("Config").asText());
      JsonNode diffIds = configJson.path("rootfs").path("diff_ids");
      ObjectNode manifest = Manifests.JSON.createObjectNode();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", OciMediaTypes.DOCKER_MANIFEST);
      manifest.set("config", descriptor(OciMediaTypes.DOCKER_CONFIG, config));
      blobs.put(config.digest(), config.file());
      ArrayNode layers = manifest.putArray("layers");
      JsonNode layerNames = image.path("Layers");
      if (!layerNames.isArray() || layerNames.size() != diffIds.size()) {
        throw IntegrityException.malformed(where, "the config lists " + diffIds.size() + " layers, manifest.json " + layerNames.size());
      }
      for (int i = 0; i < layerNames.size(); i++) {
        Stored layer = find(layerNames.get(i).asText(""));
        if (layer == null) throw IntegrityException.malformed(where, "layer " + layerNames.get(i).asText() + " is missing");
        boolean gzip = startsWithGzipMagic(layer.file());
        // An uncompressed layer tar's digest is its diff_id: the config vouches for every layer.
        if (!gzip && !diffIds.get(i).asText().equals(layer.digest().toString())) {
          throw IntegrityException.mismatch(archive + " layer " + layerNames.get(i).asText(), diffIds.get(i).asText(), layer.digest());
        }
        layers.add(descriptor(gzip ? OciMediaTypes.DOCKER_LAYER_GZIP : OciMediaTypes.DOCKER_LAYER_TAR, layer));
        blobs.put(layer.digest(), layer.file());
      }
      byte[] bytes;
      try {
        bytes = Manifests.JSON.writeValueAsBytes(manifest);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      Path file = VerifiedFiles.storeBytes(bytes, workDir);
      Digest digest = Digest.of(bytes);
      blobs.put(digest, file);
      JsonNode tags = image.path("RepoTags");
      if (!tags.isArray() || tags.isEmpty()) {
        list.add(tagged(digest, bytes.length, digest.toString()));
      } else {
        for (JsonNode tag : tags) list.add(tagged(digest, bytes.length, tag.asText()));
      }
    }
    return index;
  }

  private static ObjectNode tagged(Digest digest, long size, String refName) {
    ObjectNode d = Manifests.JSON.createObjectNode();
    d.put("mediaType", OciMediaTypes.DOCKER_MANIFEST);
    d.put("digest", digest.toString());
    d.put("size", size);
    d.putObject("annotations").put(LayoutSource.REF_NAME, refName);
    return d;
  }

  private static ObjectNode descriptor(String mediaType, Stored s) {
    ObjectNode d = Manifests.JSON.createObjectNode();
    d.put("mediaType", mediaType);
    d.put("size", s.size());
    d.put("digest", s.digest().toString());
    return d;
  }

  private static boolean startsWithGzipMagic(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
  }
}

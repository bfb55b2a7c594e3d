package dev.airgap.exporter.source.oci;

import dev.airgap.core.Digest;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.mirror.oci.OciMediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** One repository of a registry, read through the distribution API. */
final class RegistrySource implements ContentSource {
  static final List<String> MANIFEST_ACCEPT = List.of(OciMediaTypes.OCI_INDEX, OciMediaTypes.OCI_MANIFEST, OciMediaTypes.DOCKER_LIST, OciMediaTypes.DOCKER_MANIFEST);

  private final RegistryClient client;
  private final String repository;
  private final Path workDir;

  RegistrySource(RegistryClient client, String repository, Path workDir) {
    this.client = client;
    this.repository = repository;
    this.workDir = workDir;
  }

  @Override
  public String describe() {
    return client.base().resolve("/v2/" + repository).toString();
  }

  @Override
  public Optional<Fetched> manifest(String reference) {
    return fetchManifest("manifests/" + reference, reference.startsWith("sha256:") ? Digest.parse(reference) : null, MANIFEST_ACCEPT);
  }

  @Override
  public Optional<Fetched> referrers(Digest subject) {
    return fetchManifest("referrers/" + subject, null, List.of(OciMediaTypes.OCI_INDEX));
  }

  private Optional<Fetched> fetchManifest(String path, Digest expected, List<String> accept) {
    String where = describe() + "/" + path;
    try (RegistryClient.Response r = client.get(repository, path, accept); InputStream body = r.body()) {
      if (r.status() == 404) return Optional.empty();
      if (r.status() != 200) throw new EnvironmentException(where + ": registry answered " + r.status());
      byte[] bytes = body.readNBytes(OciMediaTypes.MAX_MANIFEST_BYTES + 1);
      if (bytes.length > OciMediaTypes.MAX_MANIFEST_BYTES) throw IntegrityException.malformed(where, "manifest larger than " + OciMediaTypes.MAX_MANIFEST_BYTES + " bytes");
      Digest actual = Digest.of(bytes);
      if (expected != null && !expected.equals(actual)) throw IntegrityException.mismatch(where, expected, actual);
      Optional<String> claimed = r.header("Docker-Content-Digest");
      if (claimed.isPresent() && claimed.get().startsWith("sha256:") && !claimed.get().equals(actual.toString())) {
        throw IntegrityException.mismatch(where + " (Docker-Content-Digest)", claimed.get(), actual);
      }
      String contentType = r.header("Content-Type").map(t -> t.split(";", 2)[0].trim()).orElse(null);
      return Optional.of(new Fetched(bytes, contentType, actual));
    } catch (IOException e) {
      throw EnvironmentException.io(where, e);
    }
  }

  /** Streams the layer from the registry at bundle-write time; BundleWriter checks digest and size. */
  @Override
  public BlobSource layer(Digest digest, long size) {
    Path fetched = VerifiedFiles.blobFile(workDir, digest);
    if (java.nio.file.Files.exists(fetched)) return BlobSource.ofFile(fetched, digest, size);
    String where = describe() + "/blobs/" + digest;
    return new BlobSource() {
      @Override public Digest digest() { return digest; }
      @Override public long size() { return size; }
      @Override public String origin() { return where; }
      @Override public String mismatchContext() { return where + " (as the registry served it)"; }
      @Override public InputStream open() throws IOException { return client.openBlob(repository, digest, size); }
    };
  }

  /** Configs and other small blobs: into the work directory, verified (they are read during collect). */
  @Override
  public Path blob(Digest digest, long size) {
    Path existing = VerifiedFiles.blobFile(workDir, digest);
    if (java.nio.file.Files.exists(existing)) return existing;
    String where = describe() + "/blobs/" + digest;
    try (RegistryClient.Response r = client.get(repository, "blobs/" + digest, List.of())) {
      if (r.status() != 200) throw new EnvironmentException(where + ": registry answered " + r.status());
      return VerifiedFiles.store(r.body(), digest, size, workDir, where);
    } catch (IOException e) {
      throw EnvironmentException.io(where, e);
    }
  }
}

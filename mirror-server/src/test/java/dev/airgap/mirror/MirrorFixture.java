package dev.airgap.mirror;

import dev.airgap.core.Digest;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.manifest.ManifestCodec;
import dev.airgap.core.manifest.Producer;
import dev.airgap.core.manifest.SbomRef;
import dev.airgap.core.mirror.FilesIndex;
import dev.airgap.core.mirror.GenerationInfo;
import dev.airgap.core.mirror.MirrorLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds a mirror directory by hand, the way the importer lays it out, with secrets around it. */
final class MirrorFixture {
  static final String SECRET = "SECRET-d41d8cd9";
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  final Path root;
  final MirrorLayout layout;

  MirrorFixture(Path root) throws IOException {
    this.root = root;
    this.layout = new MirrorLayout(root);
    Files.createDirectories(layout.generations());
    Files.createDirectories(layout.store());
    write(layout.staging().resolve("secret.txt"), SECRET + " staging");
    write(layout.staging().resolve("0000000009/files/index.json"), SECRET + " staged index");
    write(layout.quarantine().resolve("rejected.bin"), SECRET + " quarantine");
    write(layout.auditLog(), SECRET + " audit");
    write(layout.lockFile(), SECRET + " lock");
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  Digest putBlob(byte[] content) throws IOException {
    Digest d = Digest.of(content);
    Path blob = layout.blob(d);
    Files.createDirectories(blob.getParent());
    if (!Files.exists(blob)) Files.write(blob, content);
    return d;
  }

  /** A bundle to place in a generation's bundles/ directory. */
  record Bundle(String bundleId, String channel, long sequence) {}

  /** A file to serve: channel, logical path, bytes, media type. */
  record File(String channel, String path, byte[] content, String mediaType) {
    File(String channel, String path, String content) {
      this(channel, path, utf8(content), "text/plain");
    }
  }

  /** Writes generation {@code number} with these files and bundles (does not publish it). */
  Path generation(long number, List<File> files, List<Bundle> bundles) throws IOException {
    Path dir = layout.generation(number);
    Files.createDirectories(dir);
    Map<String, GenerationInfo.ChannelState> heads = new TreeMap<>();
    for (Bundle b : bundles) {
      byte[] sbom = utf8("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"serialNumber\":\"" + b.bundleId() + "\"}\n");
      List<ArtifactFile> artifactFiles = new ArrayList<>();
      for (File f : files) {
        if (f.channel().equals(b.channel())) {
          artifactFiles.add(new ArtifactFile(new LogicalPath(f.path()), f.content().length, Digest.of(f.content()), f.mediaType()));
        }
      }
      Manifest m = new Manifest(Manifest.FORMAT_VERSION, b.bundleId(), b.channel(), b.sequence(), T0, T0.plusSeconds(86400),
          new Producer("airgap", "test", "host"), new SbomRef("sbom.cdx.json", sbom.length, Digest.of(sbom), "application/vnd.cyclonedx+json"),
          List.of(new Artifact("files", "test", "1", "pkg:generic/test@1", Map.of(), artifactFiles))).validate();
      byte[] manifest = ManifestCodec.encode(m);
      Path bdir = dir.resolve("bundles").resolve(b.bundleId());
      Files.createDirectories(bdir);
      Files.write(bdir.resolve("manifest.json"), manifest);
      Files.write(bdir.resolve("manifest.dsse.json"), utf8("{\"payloadType\":\"application/vnd.airgap.manifest.v1+json\",\"payload\":\"" + b.bundleId() + "\",\"signatures\":[]}\n"));
      Files.write(bdir.resolve("sbom.cdx.json"), sbom);
      write(bdir.resolve(".secret"), SECRET + " bundle dotfile");
      GenerationInfo.ChannelState prior = heads.get(b.channel());
      if (prior == null || prior.sequence() < b.sequence()) {
        heads.put(b.channel(), new GenerationInfo.ChannelState(b.sequence(), b.bundleId(), Digest.of(manifest).toString(), T0));
      }
    }
    new GenerationInfo(number, T0, heads).write(dir);
    Map<String, Map<String, FilesIndex.Entry>> channels = new LinkedHashMap<>();
    for (File f : files) {
      Digest d = putBlob(f.content());
      String bundleId = bundles.stream().filter(b -> b.channel().equals(f.channel())).map(Bundle::bundleId).findFirst().orElse("none");
      channels.computeIfAbsent(f.channel(), c -> new LinkedHashMap<>()).put(f.path(), new FilesIndex.Entry(d, f.content().length, f.mediaType(), bundleId));
    }
    new FilesIndex(channels).write(dir);
    write(dir.resolve(".secret"), SECRET + " generation dotfile");
    write(dir.resolve("files/.secret"), SECRET + " files dotfile");
    write(dir.resolve("files/chan/.secret"), SECRET + " files channel dotfile");
    return dir;
  }

  /** Points {@code current} at generation {@code number} with one atomic rename, as an import does. */
  void publish(long number) throws IOException {
    Path tmp = root.resolve("current.tmp");
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, Paths.get("generations", MirrorLayout.generationName(number)));
    Files.move(tmp, layout.current(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}

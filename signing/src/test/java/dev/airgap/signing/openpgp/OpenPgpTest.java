package dev.airgap.signing.openpgp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.error.TrustException;
import dev.airgap.core.error.UsageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenPGP keys, cleartext and detached signatures: round trips, forgeries, and GnuPG's gpgv as the independent verifier. */
class OpenPgpTest {
  @TempDir Path tmp;
  static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  static final String TEXT = "Origin: airgap\nSuite: stable\n-dash line\nDescription: trailing\n SHA256:\n abc 1 main/binary-amd64/Packages\n";

  @Test
  void clearSignedTextVerifiesWithOurVerifierAndWithGpgv() throws Exception {
    OpenPgpKeys.Generated g = OpenPgpKeys.generate(tmp.resolve("k"), "repo", NOW);
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(g.secretKey())));
    OpenPgpSigner signer = OpenPgpSigner.load(g.secretKey());
    assertEquals(g.fingerprint(), signer.fingerprint());
    byte[] signed = signer.clearSign(TEXT, NOW);
    assertTrue(new String(signed, StandardCharsets.UTF_8).contains("\n- -dash line\n"), "dash-escaped");
    OpenPgpVerifier.Verified v = OpenPgpVerifier.of(g.publicBinary()).verifyClearSigned(signed, "InRelease");
    assertEquals(TEXT, v.text());
    assertEquals(NOW, v.signedAt());
    assertEquals(g.fingerprint(), OpenPgpVerifier.of(g.publicArmored()).verifyClearSigned(signed, "InRelease").signerFingerprint());

    Path file = Files.write(tmp.resolve("InRelease"), signed);
    Process p = new ProcessBuilder("gpgv", "--keyring", g.publicBinary().toString(), file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);

    byte[] detached = signer.detachSign(TEXT.getBytes(StandardCharsets.UTF_8), NOW);
    Path data = Files.writeString(tmp.resolve("Release"), TEXT);
    Path sig = Files.write(tmp.resolve("Release.gpg"), detached);
    Process d = new ProcessBuilder("gpgv", "--keyring", g.publicBinary().toString(), sig.toString(), data.toString()).redirectErrorStream(true).start();
    String dout = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, d.waitFor(), dout);
    assertEquals(TEXT, OpenPgpVerifier.of(g.publicBinary()).verifyDetached(TEXT.getBytes(StandardCharsets.UTF_8), detached, "Release").text());
  }

  @Test
  void forgeriesAndStrangersAreRefused() throws Exception {
    OpenPgpKeys.Generated g = OpenPgpKeys.generate(tmp.resolve("k"), "repo", NOW);
    OpenPgpKeys.Generated other = OpenPgpKeys.generate(tmp.resolve("k"), "other", NOW);
    OpenPgpSigner signer = OpenPgpSigner.load(g.secretKey());
    String signed = new String(signer.clearSign(TEXT, NOW), StandardCharsets.UTF_8);
    OpenPgpVerifier verifier = OpenPgpVerifier.of(g.publicBinary());

    TrustException altered = assertThrows(TrustException.class, () -> verifier.verifyClearSigned(signed.replace("Suite: stable", "Suite: stablf").getBytes(StandardCharsets.UTF_8), "InRelease"));
    assertTrue(altered.getMessage().contains("BAD signature"), altered.getMessage());
    TrustException appended = assertThrows(TrustException.class, () -> verifier.verifyClearSigned((signed + "Injected: yes\n").getBytes(StandardCharsets.UTF_8), "InRelease"));
    assertTrue(appended.getMessage().contains("text after the signature block"), appended.getMessage());
    TrustException prepended = assertThrows(TrustException.class, () -> verifier.verifyClearSigned(("Injected: yes\n" + signed).getBytes(StandardCharsets.UTF_8), "InRelease"));
    assertTrue(prepended.getMessage().contains("not a cleartext-signed message"), prepended.getMessage());
    TrustException stranger = assertThrows(TrustException.class, () -> OpenPgpVerifier.of(other.publicBinary()).verifyClearSigned(signed.getBytes(StandardCharsets.UTF_8), "InRelease"));
    assertTrue(stranger.getMessage().contains("no valid signature"), stranger.getMessage());
    byte[] detached = signer.detachSign(TEXT.getBytes(StandardCharsets.UTF_8), NOW);
    assertThrows(TrustException.class, () -> verifier.verifyDetached((TEXT + " ").getBytes(StandardCharsets.UTF_8), detached, "Release"));
  }

  @Test
  void keyFilesAreCheckedAndNeverOverwritten() throws Exception {
    OpenPgpKeys.generate(tmp.resolve("k"), "repo", NOW);
    assertThrows(UsageException.class, () -> OpenPgpKeys.generate(tmp.resolve("k"), "repo", NOW));
    Path junk = Files.writeString(tmp.resolve("junk.asc"), "not a key\n");
    assertThrows(UsageException.class, () -> OpenPgpSigner.load(junk));
    assertThrows(UsageException.class, () -> OpenPgpVerifier.of(junk));
  }
}

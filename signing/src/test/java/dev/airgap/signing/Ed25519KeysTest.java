package dev.airgap.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.Digest;
import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ed25519KeysTest {
  @TempDir Path tmp;

  @Test
  void generatesPemFilesWithModesAndKeyId() throws IOException {
    Path dir = tmp.resolve("keys/nested");
    GeneratedKey g = Ed25519Keys.generate(dir, "ops");
    assertEquals(dir.resolve("ops.key"), g.privateKey());
    assertEquals(dir.resolve("ops.pub"), g.publicKey());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(g.privateKey())));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(g.publicKey())));
    assertTrue(Files.readString(g.privateKey()).startsWith("-----BEGIN PRIVATE KEY-----"));
    assertTrue(Files.readString(g.publicKey()).startsWith("-----BEGIN PUBLIC KEY-----"));
    assertTrue(g.keyId().value().matches("[0-9a-f]{64}"));
    assertEquals(g.keyId().value().substring(0, 16), g.keyId().shortForm());
    assertEquals(g.keyId(), SigningKey.load(g.privateKey()).keyId());
    assertEquals(g.keyId(), TrustedKey.load(g.publicKey()).keyId());
    assertEquals("ops", TrustedKey.load(g.publicKey()).name());
  }

  @Test
  void opensslReadsGeneratedKeysAndAgreesOnKeyId() throws Exception {
    GeneratedKey g = Ed25519Keys.generate(tmp, "interop");
    assertEquals(0, run("openssl", "pkey", "-in", g.privateKey().toString(), "-noout"));
    assertEquals(0, run("openssl", "pkey", "-pubin", "-in", g.publicKey().toString(), "-noout"));
    // The key id is SHA-256 of the raw key: the last 32 bytes of the DER SubjectPublicKeyInfo.
    Path der = tmp.resolve("pub.der");
    assertEquals(0, run("openssl", "pkey", "-in", g.privateKey().toString(), "-pubout", "-outform", "DER", "-out", der.toString()));
    byte[] spki = Files.readAllBytes(der);
    assertEquals(44, spki.length);
    assertEquals(Digest.of(Arrays.copyOfRange(spki, 12, 44)).hex(), g.keyId().value());
  }

  @Test
  void opensslSignatureVerifiesAndOurSignatureVerifiesInOpenssl() throws Exception {
    Path key = tmp.resolve("o.key");
    Path pub = tmp.resolve("o.pub");
    assertEquals(0, run("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString()));
    assertEquals(0, run("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString()));
    byte[] message = "hello enclave".getBytes(StandardCharsets.UTF_8);
    Path msg = tmp.resolve("msg");
    Files.write(msg, message);

    Path opensslSig = tmp.resolve("openssl.sig");
    assertEquals(0, run("openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key.toString(), "-in", msg.toString(), "-out", opensslSig.toString()));
    TrustedKey trusted = TrustedKey.load(pub);
    assertTrue(trusted.verify(message, Files.readAllBytes(opensslSig)));

    SigningKey signing = SigningKey.load(key);
    assertEquals(trusted.keyId(), signing.keyId());
    Path ourSig = tmp.resolve("our.sig");
    Files.write(ourSig, signing.sign(message));
    assertEquals(0, run("openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", pub.toString(), "-in", msg.toString(), "-sigfile", ourSig.toString()));
  }

  @Test
  void signVerifyRoundTripAndRejections() {
    GeneratedKey g = Ed25519Keys.generate(tmp, "rt");
    SigningKey sk = SigningKey.load(g.privateKey());
    TrustedKey tk = TrustedKey.load(g.publicKey());
    byte[] message = "payload".getBytes(StandardCharsets.UTF_8);
    byte[] sig = sk.sign(message);
    assertEquals(64, sig.length);
    assertTrue(tk.verify(message, sig));
    assertFalse(tk.verify("payloaD".getBytes(StandardCharsets.UTF_8), sig));
    byte[] flipped = sig.clone();
    flipped[10] ^= 1;
    assertFalse(tk.verify(message, flipped));
    assertFalse(tk.verify(message, Arrays.copyOf(sig, 63)));
    assertFalse(tk.verify(message, Arrays.copyOf(sig, 65)));
    assertFalse(tk.verify(message, new byte[64]));
    assertFalse(tk.verify(message, null));
    TrustedKey other = TrustedKey.load(Ed25519Keys.generate(tmp, "other").publicKey());
    assertFalse(other.verify(message, sig));
  }

  @Test
  void refusesToOverwriteExistingKeyFiles() throws IOException {
    GeneratedKey g = Ed25519Keys.generate(tmp, "dup");
    String before = Files.readString(g.privateKey());
    UsageException e = assertThrows(UsageException.class, () -> Ed25519Keys.generate(tmp, "dup"));
    assertTrue(e.getMessage().contains("dup.key"), e.getMessage());
    assertEquals(before, Files.readString(g.privateKey()));

    // A lone .pub is refused too, and no orphan .key is left behind.
    Files.writeString(tmp.resolve("lone.pub"), "x");
    UsageException e2 = assertThrows(UsageException.class, () -> Ed25519Keys.generate(tmp, "lone"));
    assertTrue(e2.getMessage().contains("lone.pub"), e2.getMessage());
    assertFalse(Files.exists(tmp.resolve("lone.key")));
  }

  @Test
  void rejectsBadNames() {
    for (String bad : new String[] {"", ".hidden", "a/b", "../x", "-x", "a b", "x".repeat(65)}) {
      assertThrows(UsageException.class, () -> Ed25519Keys.generate(tmp, bad), bad);
    }
    Ed25519Keys.generate(tmp, "A1._-z");
    Ed25519Keys.generate(tmp, "y".repeat(64));
  }

  @Test
  void loadRejectsOtherKeyTypesMalformedAndMissingFiles() throws Exception {
    Path ed448 = tmp.resolve("ed448.key");
    assertEquals(0, run("openssl", "genpkey", "-algorithm", "ed448", "-out", ed448.toString()));
    UsageException e = assertThrows(UsageException.class, () -> SigningKey.load(ed448));
    assertTrue(e.getMessage().contains("ed448.key") && e.getMessage().contains("Ed448"), e.getMessage());

    Path ed448pub = tmp.resolve("ed448.pub");
    assertEquals(0, run("openssl", "pkey", "-in", ed448.toString(), "-pubout", "-out", ed448pub.toString()));
    UsageException e1 = assertThrows(UsageException.class, () -> TrustedKey.load(ed448pub));
    assertTrue(e1.getMessage().contains("Ed448"), e1.getMessage());

    GeneratedKey g = Ed25519Keys.generate(tmp, "k");
    // A public key where a private key is expected, and vice versa.
    assertThrows(UsageException.class, () -> SigningKey.load(g.publicKey()));
    assertThrows(UsageException.class, () -> TrustedKey.load(g.privateKey()));

    Path garbage = tmp.resolve("garbage.key");
    Files.writeString(garbage, "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n");
    UsageException e2 = assertThrows(UsageException.class, () -> SigningKey.load(garbage));
    assertTrue(e2.getMessage().contains("garbage.key"), e2.getMessage());

    Path truncated = tmp.resolve("truncated.key");
    Files.writeString(truncated, Files.readString(g.privateKey()).replace("-----END PRIVATE KEY-----", ""));
    assertThrows(UsageException.class, () -> SigningKey.load(truncated));

    Path notDer = tmp.resolve("notder.key");
    Files.writeString(notDer, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertThrows(UsageException.class, () -> SigningKey.load(notDer));

    Path empty = tmp.resolve("empty.key");
    Files.writeString(empty, "");
    assertThrows(UsageException.class, () -> SigningKey.load(empty));

    UsageException e3 = assertThrows(UsageException.class, () -> SigningKey.load(tmp.resolve("missing.key")));
    assertTrue(e3.getMessage().contains("missing.key") && e3.getMessage().contains("not found"), e3.getMessage());
  }

  @Test
  void toStringNeverShowsKeyMaterial() throws IOException {
    GeneratedKey g = Ed25519Keys.generate(tmp, "secret");
    String pem = Files.readString(g.privateKey());
    String body = pem.split("\n")[1];
    String s = SigningKey.load(g.privateKey()).toString();
    assertFalse(s.contains(body.substring(0, 20)));
  }

  private int run(String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) System.err.println(String.join(" ", cmd) + " -> " + rc + ": " + out);
    return rc;
  }
}

package dev.airgap.signing.openpgp;

import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Iterator;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;

/**
 * Signs repository metadata with an OpenPGP secret key: cleartext signatures ({@code InRelease})
 * and armored detached signatures ({@code Release.gpg}), SHA-512 over the data, with the signing
 * time given by the caller (never ahead of the import clock).
 */
public final class OpenPgpSigner {
  private final PGPSecretKeyRing ring;
  private final PGPSecretKey key;
  private final PGPPrivateKey privateKey;

  private OpenPgpSigner(PGPSecretKeyRing ring, PGPSecretKey key, PGPPrivateKey privateKey) {
    this.ring = ring;
    this.key = key;
    this.privateKey = privateKey;
  }

  /**
   * Loads the first signing-capable secret key of an armored or binary secret key file. The key
   * must not be passphrase-protected (the file itself is what must be protected: mode 0600).
   */
  public static OpenPgpSigner load(Path file) {
    byte[] bytes = OpenPgpKeys.readSmall(file, "secret key");
    PGPSecretKeyRingCollection rings;
    try (InputStream in = PGPUtil.getDecoderStream(new java.io.ByteArrayInputStream(bytes))) {
      rings = new BcPGPSecretKeyRingCollection(in);
    } catch (IOException | PGPException | RuntimeException e) {
      throw new UsageException(file + ": not an OpenPGP secret key (make one with 'airgap keys generate --openpgp'): " + e.getMessage(), e);
    }
    for (Iterator<PGPSecretKeyRing> r = rings.getKeyRings(); r.hasNext(); ) {
      PGPSecretKeyRing ring = r.next();
      for (Iterator<PGPSecretKey> k = ring.getSecretKeys(); k.hasNext(); ) {
        PGPSecretKey key = k.next();
        if (!key.isSigningKey() || key.isPrivateKeyEmpty()) continue;
        try {
          PGPPrivateKey priv = key.extractPrivateKey(null);
          if (priv == null) continue;
          return new OpenPgpSigner(ring, key, priv);
        } catch (PGPException e) {
          throw new UsageException(file + ": the OpenPGP secret key is passphrase-protected; export it without a passphrase and keep the file at mode 0600", e);
        }
      }
    }
    throw new UsageException(file + ": holds no OpenPGP secret signing key");
  }

  public String fingerprint() {
    return OpenPgpKeys.fingerprint(key.getPublicKey());
  }

  /** The public key ring (primary key and user ids) in binary form: apt's {@code .gpg} keyring. */
  public byte[] publicKeyBinary() {
    try {
      java.util.List<PGPPublicKey> keys = new java.util.ArrayList<>();
      for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext(); ) keys.add(it.next());
      return new PGPPublicKeyRing(keys).getEncoded();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The public key ring, ASCII-armored: apt's {@code .asc} keyring. */
  public byte[] publicKeyArmored() {
    try {
      return OpenPgpKeys.armor(publicKeyBinary());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A cleartext-signed message (RFC 4880 §7) of {@code text}: the text, dash-escaped, followed by
   * a canonical-text signature. Lines lose trailing spaces and tabs in the signed form, as the RFC
   * requires, so {@code text} should have none (apt metadata has none).
   */
  public byte[] clearSign(String text, Instant when) {
    String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    String[] lines = body.split("\n", -1);
    StringBuilder canonical = new StringBuilder(body.length() + lines.length);
    StringBuilder escaped = new StringBuilder(body.length() + 64);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (i > 0) canonical.append("\r\n");
      canonical.append(ClearSigned.stripTrailing(line));
      if (line.startsWith("-")) escaped.append("- ");
      escaped.append(line).append('\n');
    }
    PGPSignature sig = sign(PGPSignature.CANONICAL_TEXT_DOCUMENT, canonical.toString().getBytes(StandardCharsets.UTF_8), when);
    StringBuilder out = new StringBuilder(escaped.length() + 1024);
    out.append("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n").append(escaped);
    try {
      out.append(new String(OpenPgpKeys.armor(sig.getEncoded()), StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** An ASCII-armored detached binary signature over {@code data}. */
  public byte[] detachSign(byte[] data, Instant when) {
    try {
      return OpenPgpKeys.armor(sign(PGPSignature.BINARY_DOCUMENT, data, when).getEncoded());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private PGPSignature sign(int type, byte[] data, Instant when) {
    try {
      PGPSignatureGenerator gen = new PGPSignatureGenerator(
          new BcPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA512), key.getPublicKey());
      gen.init(type, privateKey);
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setSignatureCreationTime(false, Date.from(when));
      hashed.setIssuerFingerprint(false, key.getPublicKey());
      gen.setHashedSubpackets(hashed.generate());
      PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
      unhashed.setIssuerKeyID(false, key.getKeyID());
      gen.setUnhashedSubpackets(unhashed.generate());
      gen.update(data);
      return gen.generate();
    } catch (PGPException e) {
      throw new IllegalStateException("OpenPGP signing failed", e);
    }
  }
}

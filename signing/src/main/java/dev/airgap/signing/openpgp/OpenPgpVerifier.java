package dev.airgap.signing.openpgp;

import dev.airgap.core.error.TrustException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Verifies OpenPGP signatures on repository metadata against a configured keyring, the way apt
 * does: a message is good when at least one signature verifies with a key of the keyring; a
 * signature that names a keyring key but does not verify is a forgery and fails the whole
 * message; signatures with MD5, SHA-1 or RIPEMD-160 digests, and keys expired at signing time,
 * do not count.
 */
public final class OpenPgpVerifier {
  private static final Set<Integer> WEAK_HASHES = Set.of(HashAlgorithmTags.MD5, HashAlgorithmTags.SHA1, HashAlgorithmTags.RIPEMD160, HashAlgorithmTags.MD2);

  private final List<PGPPublicKey> keys;
  private final String keyringName;

  private OpenPgpVerifier(List<PGPPublicKey> keys, String keyringName) {
    this.keys = keys;
    this.keyringName = keyringName;
  }

  public static OpenPgpVerifier of(Path keyring) {
    return new OpenPgpVerifier(OpenPgpKeys.keys(OpenPgpKeys.readKeyring(keyring)), keyring.toString());
  }

  public static OpenPgpVerifier of(PGPPublicKeyRingCollection keyring, String name) {
    return new OpenPgpVerifier(OpenPgpKeys.keys(keyring), name);
  }

  /** What a good signature vouches for: the signed text (for a cleartext message) and the signer. */
  public record Verified(String text, String signerFingerprint, Instant signedAt) {}

  /**
   * Verifies a cleartext-signed message ({@code InRelease}) and returns only its signed text, which
   * is all a caller may parse.
   */
  public Verified verifyClearSigned(byte[] message, String where) {
    ClearSigned parsed;
    try {
      parsed = ClearSigned.parse(message);
    } catch (IllegalArgumentException e) {
      throw new TrustException(where + ": malformed cleartext signature: " + e.getMessage());
    }
    byte[] canonical = parsed.canonicalText();
    Verified v = verify(canonical, parsed.armoredSignature().getBytes(StandardCharsets.US_ASCII), where, true);
    return new Verified(parsed.text(), v.signerFingerprint(), v.signedAt());
  }

  /** Verifies a detached signature ({@code Release.gpg}, armored or binary) over {@code data}. */
  public Verified verifyDetached(byte[] data, byte[] signature, String where) {
    Verified v = verify(data, signature, where, false);
    return new Verified(new String(data, StandardCharsets.UTF_8), v.signerFingerprint(), v.signedAt());
  }

  private Verified verify(byte[] data, byte[] signatureBytes, String where, boolean clearText) {
    List<PGPSignature> signatures = readSignatures(signatureBytes, where);
    Verified good = null;
    List<String> seen = new ArrayList<>();
    for (PGPSignature sig : signatures) {
      PGPPublicKey key = keyFor(sig);
      String issuer = issuer(sig);
      if (key == null) {
        seen.add(issuer + " (not in the keyring)");
        continue;
      }
      if (WEAK_HASHES.contains(sig.getHashAlgorithm())) {
        seen.add(issuer + " (weak digest algorithm " + sig.getHashAlgorithm() + ")");
        continue;
      }
      int type = sig.getSignatureType();
      if (type != PGPSignature.CANONICAL_TEXT_DOCUMENT && (clearText || type != PGPSignature.BINARY_DOCUMENT)) {
        seen.add(issuer + " (signature type " + type + ")");
        continue;
      }
      boolean ok;
      try {
        sig.init(new BcPGPContentVerifierBuilderProvider(), key);
        sig.update(data);
        ok = sig.verify();
      } catch (PGPException | RuntimeException e) {
        ok = false;
      }
      if (!ok) throw new TrustException(where + ": BAD signature by key " + OpenPgpKeys.fingerprint(key) + " from " + keyringName + " (the signed data was altered)");
      Instant signedAt = sig.getCreationTime().toInstant();
      if (key.getValidSeconds() > 0 && key.getCreationTime().toInstant().plusSeconds(key.getValidSeconds()).isBefore(signedAt)) {
        seen.add(issuer + " (key expired before it signed)");
        continue;
      }
      if (good == null) good = new Verified(null, OpenPgpKeys.fingerprint(key), signedAt);
    }
    if (good == null) {
      throw new TrustException(where + ": no valid signature by a key in " + keyringName + (seen.isEmpty() ? "" : "; signatures seen: " + String.join(", ", seen)));
    }
    return good;
  }

  private PGPPublicKey keyFor(PGPSignature sig) {
    long id = sig.getKeyID();
    byte[] fpr = sig.getHashedSubPackets() != null && sig.getHashedSubPackets().getIssuerFingerprint() != null
        ? sig.getHashedSubPackets().getIssuerFingerprint().getFingerprint() : null;
    for (PGPPublicKey k : keys) {
      if (fpr != null ? java.util.Arrays.equals(fpr, k.getFingerprint()) : k.getKeyID() == id) return k;
    }
    return null;
  }

  private static String issuer(PGPSignature sig) {
    byte[] fpr = sig.getHashedSubPackets() != null && sig.getHashedSubPackets().getIssuerFingerprint() != null
        ? sig.getHashedSubPackets().getIssuerFingerprint().getFingerprint() : null;
    return fpr != null ? "key " + java.util.HexFormat.of().withUpperCase().formatHex(fpr) : "key id " + String.format("%016X", sig.getKeyID());
  }

  private static List<PGPSignature> readSignatures(byte[] bytes, String where) {
    List<PGPSignature> out = new ArrayList<>();
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
      BcPGPObjectFactory factory = new BcPGPObjectFactory(in);
      Object o;
      while ((o = factory.nextObject()) != null) {
        if (!(o instanceof PGPSignatureList list)) throw new TrustException(where + ": the signature block holds something other than signatures");
        for (PGPSignature s : list) out.add(s);
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof TrustException t) throw t;
      throw new TrustException(where + ": unreadable OpenPGP signature: " + e.getMessage());
    }
    if (out.isEmpty()) throw new TrustException(where + ": no OpenPGP signature found");
    return out;
  }
}

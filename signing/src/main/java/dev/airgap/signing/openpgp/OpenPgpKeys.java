package dev.airgap.signing.openpgp;

import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * OpenPGP keys for signing repository metadata (apt's {@code InRelease}): generation of an Ed25519
 * signing key, and reading public keyrings (armored or binary, one or more keys) as apt's
 * {@code signed-by=} files hold them.
 */
public final class OpenPgpKeys {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  /** Keyrings and keys are small; anything larger is not a keyring. */
  static final int MAX_KEY_FILE = 16 << 20;

  private OpenPgpKeys() {}

  /** The files written by {@link #generate}: the secret key and the public key, armored and binary. */
  public record Generated(Path secretKey, Path publicArmored, Path publicBinary, String fingerprint) {}

  /**
   * Writes {@code DIR/NAME.secret.asc} (armored, unprotected, mode 0600), {@code DIR/NAME.asc} and
   * {@code DIR/NAME.gpg} (the public key, armored and binary). Never overwrites a file.
   */
  public static Generated generate(Path dir, String name, Instant now) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new UsageException("invalid key name '" + name + "': use 1-64 of [A-Za-z0-9._-], starting with a letter or digit");
    }
    Path secret = dir.resolve(name + ".secret.asc");
    Path armored = dir.resolve(name + ".asc");
    Path binary = dir.resolve(name + ".gpg");
    for (Path p : List.of(secret, armored, binary)) {
      if (Files.exists(p)) throw new UsageException(p + ": already exists; not overwriting a key");
    }
    try {
      Files.createDirectories(dir);
      Ed25519KeyPairGenerator gen = new Ed25519KeyPairGenerator();
      gen.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
      AsymmetricCipherKeyPair raw = gen.generateKeyPair();
      PGPKeyPair pair = new BcPGPKeyPair(PublicKeyPacket.VERSION_4, PublicKeyAlgorithmTags.EDDSA_LEGACY, raw, Date.from(now));
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
      hashed.setPreferredHashAlgorithms(false, new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA256});
      hashed.setIssuerFingerprint(false, pair.getPublicKey());
      PGPDigestCalculator sha1 = new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1);
      PGPKeyRingGenerator rings = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair, "airgap repository key " + name, sha1,
          hashed.generate(), null, new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA512), null);
      PGPSecretKeyRing secretRing = rings.generateSecretKeyRing();
      PGPPublicKeyRing publicRing = rings.generatePublicKeyRing();
      byte[] secretArmored = armor(secretRing.getEncoded());
      try (OutputStream out = Files.newOutputStream(Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
          StandardOpenOption.WRITE)) {
        out.write(secretArmored);
      }
      Files.write(armored, armor(publicRing.getEncoded()), StandardOpenOption.CREATE_NEW);
      Files.write(binary, publicRing.getEncoded(), StandardOpenOption.CREATE_NEW);
      return new Generated(secret, armored, binary, fingerprint(pair.getPublicKey()));
    } catch (FileAlreadyExistsException e) {
      throw new UsageException(e.getFile() + ": already exists; not overwriting a key", e);
    } catch (IOException e) {
      throw EnvironmentException.io(dir, e);
    } catch (PGPException e) {
      throw new IllegalStateException("OpenPGP key generation failed", e);
    }
  }

  /** ASCII armor for key material or a signature. */
  static byte[] armor(byte[] binary) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ArmoredOutputStream out = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
      out.write(binary);
    }
    return bytes.toByteArray();
  }

  public static String fingerprint(PGPPublicKey key) {
    return HexFormat.of().withUpperCase().formatHex(key.getFingerprint());
  }

  /** Reads a keyring file (armored or binary OpenPGP public keys). */
  public static PGPPublicKeyRingCollection readKeyring(Path file) {
    byte[] bytes = readSmall(file, "keyring");
    try (InputStream in = PGPUtil.getDecoderStream(new java.io.ByteArrayInputStream(bytes))) {
      PGPPublicKeyRingCollection rings = new BcPGPPublicKeyRingCollection(in);
      if (!rings.getKeyRings().hasNext()) throw new UsageException(file + ": holds no OpenPGP public key");
      return rings;
    } catch (IOException | PGPException | RuntimeException e) {
      if (e instanceof UsageException u) throw u;
      throw new UsageException(file + ": not an OpenPGP public keyring (armored or binary; GnuPG keybox files are not supported): " + e.getMessage(), e);
    }
  }

  /** Every public key (primary and subkeys) of a keyring. */
  static List<PGPPublicKey> keys(PGPPublicKeyRingCollection rings) {
    List<PGPPublicKey> keys = new ArrayList<>();
    for (Iterator<PGPPublicKeyRing> r = rings.getKeyRings(); r.hasNext(); ) {
      for (Iterator<PGPPublicKey> k = r.next().getPublicKeys(); k.hasNext(); ) keys.add(k.next());
    }
    return keys;
  }

  static byte[] readSmall(Path file, String what) {
    try {
      long size = Files.size(file);
      if (size > MAX_KEY_FILE) throw new UsageException(file + ": too large for an OpenPGP " + what + " (" + size + " bytes)");
      return Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UsageException(file + ": OpenPGP " + what + " file not found", e);
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
  }
}

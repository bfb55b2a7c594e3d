package dev.airgap.signing;

import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

/**
 * Generates Ed25519 key pairs as PEM files that OpenSSL also reads: {@code NAME.key} (PKCS#8, mode
 * 0600) and {@code NAME.pub} (SubjectPublicKeyInfo, mode 0644).
 */
public final class Ed25519Keys {
  static final String PRIVATE_PEM_TYPE = "PRIVATE KEY";
  static final String PUBLIC_PEM_TYPE = "PUBLIC KEY";
  static final String PRIVATE_SUFFIX = ".key";
  static final String PUBLIC_SUFFIX = ".pub";

  /** RFC 8410 id-Ed25519 (bcprov keeps its own constant in an internal package). */
  private static final ASN1ObjectIdentifier ID_ED25519 = new ASN1ObjectIdentifier("1.3.101.112");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Set<PosixFilePermission> PRIVATE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC_MODE = PosixFilePermissions.fromString("rw-r--r--");
  private static final Map<String, String> KEY_ALGORITHMS = Map.of(
      "1.3.101.112", "Ed25519",
      "1.3.101.113", "Ed448",
      "1.3.101.110", "X25519",
      "1.3.101.111", "X448",
      "1.2.840.113549.1.1.1", "RSA",
      "1.2.840.10045.2.1", "EC",
      "1.2.840.10040.4.1", "DSA");

  private Ed25519Keys() {}

  /**
   * Writes a new key pair {@code DIR/NAME.key} and {@code DIR/NAME.pub}, creating DIR if needed.
   * Existing files are never overwritten.
   *
   * @throws UsageException if NAME is invalid or either file already exists
   * @throws EnvironmentException on I/O failure
   */
  public static GeneratedKey generate(Path dir, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new UsageException("invalid key name '" + name + "': use 1-64 of [A-Za-z0-9._-], starting with a letter or digit");
    }
    Path keyFile = dir.resolve(name + PRIVATE_SUFFIX);
    Path pubFile = dir.resolve(name + PUBLIC_SUFFIX);
    try {
      Files.createDirectories(dir);
    } catch (FileAlreadyExistsException e) {
      throw new UsageException(dir + ": exists and is not a directory", e);
    } catch (IOException e) {
      throw EnvironmentException.io(dir, e);
    }
    // Checked up front so a clash on the .pub does not leave a fresh orphan .key behind.
    for (Path p : new Path[] {keyFile, pubFile}) {
      if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw refuseOverwrite(p);
      }
    }

    Ed25519PrivateKeyParameters privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
    Ed25519PublicKeyParameters publicKey = privateKey.generatePublicKey();
    String privatePem;
    String publicPem;
    try {
      // Built by hand rather than with PrivateKeyInfoFactory: BC emits a PKCS#8 v2 (OneAsymmetricKey)
      // with the public key attached, which OpenSSL 3.0 refuses to load. v1 is what openssl writes.
      PrivateKeyInfo info = new PrivateKeyInfo(new AlgorithmIdentifier(ID_ED25519),
          new DEROctetString(privateKey.getEncoded()));
      privatePem = Pem.encode(PRIVATE_PEM_TYPE, info.getEncoded(ASN1Encoding.DER));
      publicPem = Pem.encode(PUBLIC_PEM_TYPE, SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicKey).getEncoded());
    } catch (IOException e) {
      throw new IllegalStateException("DER encoding of a fresh Ed25519 key failed", e);
    }

    writeNew(keyFile, privatePem, PRIVATE_MODE);
    try {
      writeNew(pubFile, publicPem, PUBLIC_MODE);
      // The umask may have narrowed the public key's mode; widening a public key is harmless.
      Files.setPosixFilePermissions(pubFile, PUBLIC_MODE);
    } catch (RuntimeException | IOException e) {
      // Without its .pub the .key is an orphan nobody can be told to trust; do not leave it.
      deleteQuietly(keyFile);
      if (e instanceof IOException io) throw EnvironmentException.io(pubFile, io);
      throw (RuntimeException) e;
    }
    return new GeneratedKey(keyFile, pubFile, KeyId.ofRawPublicKey(publicKey.getEncoded()));
  }

  /**
   * Creates {@code file} with {@code mode} in the same system call that creates it (so a private key
   * is never readable by others, not even briefly), then writes and syncs the contents.
   */
  private static void writeNew(Path file, String content, Set<PosixFilePermission> mode) {
    FileAttribute<Set<PosixFilePermission>> attribute = PosixFilePermissions.asFileAttribute(mode);
    boolean created = false;
    try (SeekableByteChannel channel = Files.newByteChannel(file,
        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attribute)) {
      created = true;
      ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      if (channel instanceof java.nio.channels.FileChannel fc) {
        fc.force(true);
      }
    } catch (FileAlreadyExistsException e) {
      throw refuseOverwrite(file);
    } catch (UnsupportedOperationException e) {
      throw new EnvironmentException(file + ": file system does not support POSIX permissions; refusing to write a key file whose mode cannot be set", e);
    } catch (IOException e) {
      if (created) deleteQuietly(file);
      throw EnvironmentException.io(file, e);
    }
  }

  private static UsageException refuseOverwrite(Path file) {
    return new UsageException(file + ": already exists; refusing to overwrite a key file");
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // Best effort cleanup; the original failure is what the user needs to see.
    }
  }

  /** Decodes a PKCS#8 Ed25519 private key read from {@code file}; anything else is a UsageException. */
  static Ed25519PrivateKeyParameters decodePrivate(Path file, byte[] der) {
    String what = "Ed25519 private key (PKCS#8 PEM)";
    PrivateKeyInfo info;
    AsymmetricKeyParameter key;
    try {
      info = PrivateKeyInfo.getInstance(der);
      key = PrivateKeyFactory.createKey(info);
    } catch (IOException | RuntimeException e) {
      throw Pem.bad(file, what, describeFailure(e), e);
    }
    if (!(key instanceof Ed25519PrivateKeyParameters ed)) {
      throw Pem.bad(file, what, "key type is " + algorithmName(info.getPrivateKeyAlgorithm().getAlgorithm()));
    }
    // PKCS#8 v2 may carry the public key too; a mismatch means a corrupted or doctored file whose
    // key id would not match the signatures it makes.
    if (info.getPublicKeyData() != null) {
      byte[] embedded = info.getPublicKeyData().getOctets();
      if (!java.util.Arrays.equals(embedded, ed.generatePublicKey().getEncoded())) {
        throw Pem.bad(file, what, "embedded public key does not match the private key");
      }
    }
    return ed;
  }

  /** Decodes a SubjectPublicKeyInfo Ed25519 public key read from {@code file}. */
  static Ed25519PublicKeyParameters decodePublic(Path file, byte[] der) {
    String what = "Ed25519 public key (SubjectPublicKeyInfo PEM)";
    SubjectPublicKeyInfo info;
    AsymmetricKeyParameter key;
    try {
      info = SubjectPublicKeyInfo.getInstance(der);
      key = PublicKeyFactory.createKey(info);
    } catch (IOException | RuntimeException e) {
      throw Pem.bad(file, what, describeFailure(e), e);
    }
    if (!(key instanceof Ed25519PublicKeyParameters ed)) {
      throw Pem.bad(file, what, "key type is " + algorithmName(info.getAlgorithm().getAlgorithm()));
    }
    return ed;
  }

  private static String algorithmName(ASN1ObjectIdentifier oid) {
    return KEY_ALGORITHMS.getOrDefault(oid.getId(), "OID " + oid.getId());
  }

  private static String describeFailure(Exception e) {
    String message = e.getMessage();
    return "cannot decode key structure" + (message == null ? "" : ": " + message);
  }
}

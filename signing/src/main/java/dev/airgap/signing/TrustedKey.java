package dev.airgap.signing;

import java.nio.file.Path;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** An Ed25519 public key from a {@code NAME.pub} file of a trust store. */
public final class TrustedKey {
  private static final int SIGNATURE_LENGTH = 64;

  private final String name;
  private final Ed25519PublicKeyParameters key;
  private final KeyId keyId;

  private TrustedKey(String name, Ed25519PublicKeyParameters key) {
    this.name = name;
    this.key = key;
    this.keyId = KeyId.ofRawPublicKey(key.getEncoded());
  }

  /**
   * Loads {@code pubFile} ({@code -----BEGIN PUBLIC KEY-----}, Ed25519).
   *
   * @throws dev.airgap.core.error.UsageException if the file is missing, malformed or not Ed25519
   * @throws dev.airgap.core.error.EnvironmentException on I/O failure
   */
  public static TrustedKey load(Path pubFile) {
    byte[] der = Pem.readSingle(pubFile, Ed25519Keys.PUBLIC_PEM_TYPE, "Ed25519 public key (SubjectPublicKeyInfo PEM)");
    Ed25519PublicKeyParameters key = Ed25519Keys.decodePublic(pubFile, der);
    String fileName = pubFile.getFileName().toString();
    String name = fileName.endsWith(Ed25519Keys.PUBLIC_SUFFIX) && fileName.length() > Ed25519Keys.PUBLIC_SUFFIX.length()
        ? fileName.substring(0, fileName.length() - Ed25519Keys.PUBLIC_SUFFIX.length())
        : fileName;
    return new TrustedKey(name, key);
  }

  /** The file name without {@code .pub}; for display only, never for trust decisions. */
  public String name() {
    return name;
  }

  public KeyId keyId() {
    return keyId;
  }

  /** Whether {@code signature} is a valid Ed25519 signature of {@code message}; never throws. */
  public boolean verify(byte[] message, byte[] signature) {
    if (message == null || signature == null || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    try {
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, key);
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature);
    } catch (RuntimeException e) {
      // Attacker-supplied bytes must yield "invalid", not an exception that aborts verification.
      return false;
    }
  }

  @Override
  public String toString() {
    return "TrustedKey[" + name + " " + keyId.shortForm() + "]";
  }
}

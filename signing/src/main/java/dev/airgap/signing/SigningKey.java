package dev.airgap.signing;

import java.nio.file.Path;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** An Ed25519 private key loaded from a PKCS#8 PEM file, used to sign DSSE envelopes. */
public final class SigningKey {
  private final Ed25519PrivateKeyParameters key;
  private final KeyId keyId;

  private SigningKey(Ed25519PrivateKeyParameters key) {
    this.key = key;
    this.keyId = KeyId.ofRawPublicKey(key.generatePublicKey().getEncoded());
  }

  /**
   * Loads {@code keyFile} ({@code -----BEGIN PRIVATE KEY-----}, Ed25519).
   *
   * @throws dev.airgap.core.error.UsageException if the file is missing, malformed or not Ed25519
   * @throws dev.airgap.core.error.EnvironmentException on I/O failure
   */
  public static SigningKey load(Path keyFile) {
    byte[] der = Pem.readSingle(keyFile, Ed25519Keys.PRIVATE_PEM_TYPE, "Ed25519 private key (PKCS#8 PEM)");
    return new SigningKey(Ed25519Keys.decodePrivate(keyFile, der));
  }

  public KeyId keyId() {
    return keyId;
  }

  /** The 64-byte Ed25519 signature of {@code message}. */
  public byte[] sign(byte[] message) {
    // A fresh signer per call keeps this object immutable and safe to share between threads.
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, key);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /** Never prints key material. */
  @Override
  public String toString() {
    return "SigningKey[" + keyId.shortForm() + "]";
  }
}

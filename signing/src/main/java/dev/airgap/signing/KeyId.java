package dev.airgap.signing;

import dev.airgap.core.Digest;
import java.util.regex.Pattern;

/**
 * Identifier of an Ed25519 public key: lowercase hex SHA-256 of the 32-byte raw public key. It is
 * what goes into the DSSE {@code keyid} field; being derived from the key itself, it cannot be
 * chosen to collide with another key's id.
 */
public record KeyId(String value) {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final int SHORT_LENGTH = 16;

  public KeyId {
    if (value == null || !HEX64.matcher(value).matches()) {
      throw new IllegalArgumentException("not a key id (64 lowercase hex characters): " + value);
    }
  }

  /** The id of a raw 32-byte Ed25519 public key. */
  public static KeyId ofRawPublicKey(byte[] rawPublicKey) {
    if (rawPublicKey == null || rawPublicKey.length != 32) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
    }
    return new KeyId(Digest.of(rawPublicKey).hex());
  }

  /** Whether {@code text} is syntactically a key id; envelope keyids are untrusted strings. */
  public static boolean isKeyId(String text) {
    return text != null && HEX64.matcher(text).matches();
  }

  /**
   * The first 16 hex characters, for display only. (Named {@code shortForm} because {@code short} is
   * a Java keyword.)
   */
  public String shortForm() {
    return value.substring(0, SHORT_LENGTH);
  }

  @Override
  public String toString() {
    return value;
  }
}

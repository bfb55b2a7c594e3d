package dev.airgap.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.airgap.core.error.IntegrityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A SHA-256 digest, written {@code sha256:<64 lowercase hex>}. */
public record Digest(String hex) {
  public static final String ALGORITHM = "sha256";
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  public Digest {
    if (hex == null || !HEX64.matcher(hex).matches()) {
      throw new IllegalArgumentException("not a lowercase sha256 hex string: " + hex);
    }
  }

  /** Parses {@code sha256:<hex>}; throws {@link IntegrityException} on anything else. */
  @JsonCreator
  public static Digest parse(String text) {
    if (text == null || !text.startsWith(ALGORITHM + ":") || !HEX64.matcher(text.substring(7)).matches()) {
      throw IntegrityException.malformed("digest", "expected sha256:<64 lowercase hex>, got '" + abbreviate(text) + "'");
    }
    return new Digest(text.substring(7));
  }

  /** Parses a bare 64-character lowercase hex string. */
  public static Digest ofHex(String hex) {
    if (hex == null || !HEX64.matcher(hex).matches()) {
      throw IntegrityException.malformed("digest", "expected 64 lowercase hex characters, got '" + abbreviate(hex) + "'");
    }
    return new Digest(hex);
  }

  public static Digest of(byte[] bytes) {
    return fromRaw(newMessageDigest().digest(bytes));
  }

  public static Digest fromRaw(byte[] raw) {
    return new Digest(HexFormat.of().formatHex(raw));
  }

  /** The JDK's SHA-256, which uses the CPU's SHA instructions where present. */
  public static MessageDigest newMessageDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  @JsonValue
  @Override
  public String toString() {
    return ALGORITHM + ":" + hex;
  }

  private static String abbreviate(String s) {
    if (s == null) return "null";
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}

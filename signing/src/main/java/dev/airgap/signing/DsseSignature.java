package dev.airgap.signing;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * One DSSE signature. {@code keyid} is an unauthenticated hint (may be empty in envelopes from other
 * tools); {@code sig} is the raw signature over the envelope's PAE.
 */
public record DsseSignature(String keyid, byte[] sig) {
  public DsseSignature {
    Objects.requireNonNull(keyid, "keyid");
    sig = Objects.requireNonNull(sig, "sig").clone();
  }

  /** A copy, so the record stays immutable. */
  @Override
  public byte[] sig() {
    return sig.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DsseSignature other && keyid.equals(other.keyid) && Arrays.equals(sig, other.sig);
  }

  @Override
  public int hashCode() {
    return 31 * keyid.hashCode() + Arrays.hashCode(sig);
  }

  @Override
  public String toString() {
    return "DsseSignature[keyid=" + keyid + ", sig=" + Base64.getEncoder().encodeToString(sig) + "]";
  }
}

package dev.airgap.signing;

import java.util.List;

/**
 * Outcome of checking an envelope's signatures against a trust store.
 *
 * @param validSigners distinct trusted keys with a valid signature, each once
 * @param unknownKeyIds keyids (as written in the envelope, distinct) of signatures no trusted key verifies
 * @param invalidKeyIds keyids (distinct) naming a trusted key whose signature did not verify
 * @param threshold distinct valid trusted signatures the policy requires
 */
public record Verification(List<TrustedSigner> validSigners, List<String> unknownKeyIds,
    List<String> invalidKeyIds, int threshold) {
  public Verification {
    validSigners = List.copyOf(validSigners);
    unknownKeyIds = List.copyOf(unknownKeyIds);
    invalidKeyIds = List.copyOf(invalidKeyIds);
  }

  /** Whether enough distinct trusted keys signed. */
  public boolean satisfied() {
    return validSigners.size() >= threshold;
  }

  /** {@code valid: a, b; unknown: 3f2a…; invalid: none}, untrusted keyids shortened and sanitised. */
  public String summary() {
    return "valid: " + join(validSigners.stream().map(s -> Messages.clean(s.name())).toList())
        + "; unknown: " + join(unknownKeyIds.stream().map(Messages::keyid).toList())
        + "; invalid: " + join(invalidKeyIds.stream().map(Messages::keyid).toList());
  }

  private static String join(List<String> items) {
    return items.isEmpty() ? "none" : String.join(", ", items);
  }
}

package dev.airgap.signing;

/**
 * The optional {@code policy.json} of a trust store.
 *
 * @param threshold distinct trusted signatures a bundle needs (default 1)
 * @param allowNoScan whether an import may skip the content scan (default true)
 * @param refusePickle whether Python pickle content is refused (default false)
 */
public record TrustPolicy(int threshold, boolean allowNoScan, boolean refusePickle) {
  public static final String FILE_NAME = "policy.json";

  public TrustPolicy {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be at least 1, got " + threshold);
    }
  }

  /** The policy of a trust store without {@code policy.json}. */
  public static TrustPolicy defaults() {
    return new TrustPolicy(1, true, false);
  }
}

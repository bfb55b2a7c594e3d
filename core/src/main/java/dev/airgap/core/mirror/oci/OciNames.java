package dev.airgap.core.mirror.oci;

import java.util.regex.Pattern;

/** Repository names, tags and digests as the OCI distribution spec defines them. */
public final class OciNames {
  /** {@code <name>}: path components of lowercase alphanumerics with single separators. */
  public static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");
  public static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
  public static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
  /** Longer names are refused (the spec lets registries bound them; 255 is what common registries use). */
  public static final int MAX_REPOSITORY_LENGTH = 255;

  private OciNames() {}

  public static boolean isRepository(String name) {
    return name != null && name.length() <= MAX_REPOSITORY_LENGTH && REPOSITORY.matcher(name).matches();
  }

  public static boolean isTag(String tag) {
    return tag != null && TAG.matcher(tag).matches();
  }

  public static boolean isDigest(String digest) {
    return digest != null && DIGEST.matcher(digest).matches();
  }
}

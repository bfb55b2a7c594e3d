package dev.airgap.exporter.source.oci;

import dev.airgap.core.error.UsageException;
import dev.airgap.core.mirror.oci.OciNames;

/**
 * {@code host[:port]/repository[:tag][@sha256:hex]}: an image in a registry. The host is always
 * explicit: airgap has no default registry.
 */
record ImageReference(String host, String repository, String tag, String digest) {
  static ImageReference parse(String text, String where) {
    if (text == null) throw new UsageException(where + ": empty image reference");
    int slash = text.indexOf('/');
    if (slash <= 0) throw new UsageException(where + ": image '" + text + "' must name its registry host (host[:port]/repository:tag)");
    String host = text.substring(0, slash);
    String rest = text.substring(slash + 1);
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!OciNames.isDigest(digest)) throw new UsageException(where + ": image '" + text + "': digest must be sha256:<64 lowercase hex>");
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!OciNames.isTag(tag)) throw new UsageException(where + ": image '" + text + "': bad tag '" + tag + "'");
    }
    if (!host.matches("[A-Za-z0-9.-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?")) {
      throw new UsageException(where + ": image '" + text + "': bad registry host '" + host + "'");
    }
    if (!OciNames.isRepository(rest)) throw new UsageException(where + ": image '" + text + "': bad repository name '" + rest + "'");
    if (tag == null && digest == null) throw new UsageException(where + ": image '" + text + "' needs a :tag or an @sha256: digest");
    return new ImageReference(host, rest, tag, digest);
  }

  /** What to ask the registry for: the digest when pinned, else the tag. */
  String reference() {
    return digest != null ? digest : tag;
  }

  @Override
  public String toString() {
    return host + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}

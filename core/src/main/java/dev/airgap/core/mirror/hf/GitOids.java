package dev.airgap.core.mirror.hf;

import dev.airgap.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Git object ids as a Hugging Face–style hub reports them: the SHA-1 of {@code "blob <size>\0"}
 * followed by the content. For a file stored with Git LFS the repository holds a small pointer
 * file instead, so its id is the id of that pointer, which follows from the SHA-256 and size.
 */
public final class GitOids {
  public static final Pattern OID = Pattern.compile("[0-9a-f]{40}");

  private GitOids() {}

  /** A SHA-1 that has already been fed the git blob header for {@code size} bytes of content. */
  public static MessageDigest blobDigest(long size) {
    MessageDigest md = sha1();
    md.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
    return md;
  }

  /** The git blob id of {@code size} bytes read from {@code in} (streamed). */
  public static String blobOid(InputStream in, long size) throws IOException {
    MessageDigest md = blobDigest(size);
    byte[] buf = new byte[1 << 16];
    long total = 0;
    int n;
    while ((n = in.read(buf)) != -1) {
      md.update(buf, 0, n);
      total += n;
    }
    if (total != size) throw new IOException("expected " + size + " bytes, read " + total);
    return HexFormat.of().formatHex(md.digest());
  }

  /** The Git LFS pointer file that stands in the repository for content with this digest and size. */
  public static byte[] lfsPointer(Digest sha256, long size) {
    return ("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256.hex() + "\nsize " + size + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The git blob id of the LFS pointer for this content: what the hub lists as the file's {@code oid}. */
  public static String lfsPointerOid(Digest sha256, long size) {
    byte[] pointer = lfsPointer(sha256, size);
    MessageDigest md = blobDigest(pointer.length);
    return HexFormat.of().formatHex(md.digest(pointer));
  }

  public static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 missing from the JDK", e);
    }
  }
}

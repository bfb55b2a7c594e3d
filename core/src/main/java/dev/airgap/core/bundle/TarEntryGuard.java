package dev.airgap.core.bundle;

import dev.airgap.core.LogicalPath;
import dev.airgap.core.error.IntegrityException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The one guard every bundle entry passes. Commons Compress hands back links, devices, sparse
 * files, odd PAX records and traversal names without complaint; this rejects all of them, naming
 * the entry and the reason.
 */
final class TarEntryGuard {
  private TarEntryGuard() {}

  /**
   * Checks an entry's type and metadata; {@code rawHeader} is the entry's own 512-byte ustar header
   * as read from the stream: its type flag is authoritative, and a PAX size must agree with it.
   */
  static void check(TarArchiveEntry e, byte[] rawHeader) {
    String name = e.getName();
    String where = "bundle entry '" + printable(name) + "'";
    if (rawHeader == null) throw IntegrityException.malformed(where, "truncated tar header");
    byte flag = rawHeader[156];
    if (!e.isCheckSumOK()) throw IntegrityException.malformed(where, "tar header checksum is wrong");
    if (e.isSymbolicLink() || e.isLink()) {
      throw IntegrityException.malformed(where, "link entries are not allowed (points to '" + printable(e.getLinkName()) + "')");
    }
    if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) throw IntegrityException.malformed(where, "device or FIFO entries are not allowed");
    if (e.isDirectory()) throw IntegrityException.malformed(where, "directory entries are not allowed");
    if (e.isSparse() || e.isPaxGNUSparse() || e.isStarSparse() || e.isGNUSparse() || e.isOldGNUSparse()) {
      throw IntegrityException.malformed(where, "sparse entries are not allowed");
    }
    if (flag != TarConstants.LF_NORMAL && flag != TarConstants.LF_OLDNORM) {
      throw IntegrityException.malformed(where, "entry type '" + (char) flag + "' is not a regular file");
    }
    if (!e.getExtraPaxHeaders().isEmpty()) {
      throw IntegrityException.malformed(where, "unexpected PAX records " + e.getExtraPaxHeaders().keySet());
    }
    String problem = LogicalPath.problem(name);
    if (problem != null) throw IntegrityException.malformed(where, "unsafe path: " + problem);
    if (e.getSize() < 0) throw IntegrityException.malformed(where, "negative size");
    {
      long ustarSize = parseUstarSize(rawHeader);
      // A PAX 'size' that disagrees with the ustar header makes tar readers disagree about where
      // the next entry starts. Only sizes the ustar field cannot hold may differ.
      if (ustarSize != e.getSize() && !(e.getSize() > 077777777777L && (ustarSize == 0 || ustarSize == -1))) {
        throw IntegrityException.malformed(where, "PAX size " + e.getSize() + " disagrees with the ustar header size " + ustarSize);
      }
    }
  }

  /** Parses the 12-byte size field at offset 124: octal, or base-256 when the high bit is set; -1 if garbage. */
  static long parseUstarSize(byte[] header) {
    int off = 124;
    int len = 12;
    if ((header[off] & 0x80) != 0) {
      long v = header[off] & 0x7f;
      for (int i = 1; i < len; i++) {
        if (v > (Long.MAX_VALUE >> 8)) return -1;
        v = (v << 8) | (header[off + i] & 0xff);
      }
      return v;
    }
    long v = 0;
    int i = 0;
    while (i < len - 1 && header[off + i] == ' ') i++;
    for (; i < len; i++) {
      byte b = header[off + i];
      if (b == 0 || b == ' ') break;
      if (b < '0' || b > '7') return -1;
      v = (v << 3) + (b - '0');
    }
    return v;
  }

  static String printable(String s) {
    return LogicalPath.printable(s);
  }

}

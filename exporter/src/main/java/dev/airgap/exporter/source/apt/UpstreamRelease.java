package dev.airgap.exporter.source.apt;

import dev.airgap.core.Digest;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.TrustException;
import dev.airgap.core.mirror.apt.ControlParagraph;
import dev.airgap.signing.openpgp.OpenPgpVerifier;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The verified {@code Release} of an upstream suite: fetched as {@code InRelease} (or
 * {@code Release} + {@code Release.gpg}), its signature checked against the configured keyring
 * before a byte of it is parsed, then checked for the suite it names, its {@code Valid-Until} and
 * the presence of SHA-256 sums (weak-hash-only metadata is refused).
 */
record UpstreamRelease(String url, Map<String, Sum> sha256, boolean allInArchitectureIndexes) {
  static final int MAX_RELEASE = 64 << 20;

  /** A file the Release vouches for. */
  record Sum(long size, Digest sha256) {}

  static UpstreamRelease fetch(Upstream upstream, String suite, OpenPgpVerifier verifier, Instant now) {
    String dir = "dists/" + suite + "/";
    byte[] inRelease = upstream.fetch(dir + "InRelease", MAX_RELEASE);
    String text;
    String url;
    if (inRelease != null) {
      url = upstream.url(dir + "InRelease");
      text = verifier.verifyClearSigned(inRelease, url).text();
    } else {
      url = upstream.url(dir + "Release");
      byte[] release = upstream.fetch(dir + "Release", MAX_RELEASE);
      byte[] signature = release == null ? null : upstream.fetch(dir + "Release.gpg", 1 << 20);
      if (release == null) throw new TrustException(upstream.url(dir) + ": neither InRelease nor Release found (is suite '" + suite + "' right?)");
      if (signature == null) throw new TrustException(url + ": unsigned (no InRelease and no Release.gpg)");
      text = verifier.verifyDetached(release, signature, url).text();
    }
    ControlParagraph p;
    try {
      p = ControlParagraph.parseOne(text);
    } catch (IllegalArgumentException e) {
      throw IntegrityException.malformed(url, "malformed Release: " + e.getMessage());
    }
    String named = p.get("Suite");
    String codename = p.get("Codename");
    if (!suite.equals(named) && !suite.equals(codename)) {
      throw new TrustException(url + ": signed for suite '" + named + "' (codename '" + codename + "'), not '" + suite + "'");
    }
    String validUntil = p.get("Valid-Until");
    if (validUntil != null) {
      Instant until = parseDate(validUntil, url);
      if (!until.isAfter(now)) throw new TrustException(url + ": expired: Valid-Until " + validUntil + " is past (now " + now + ")");
    }
    String sums = p.get("SHA256");
    if (sums == null || sums.isBlank()) {
      throw new TrustException(url + ": has no SHA256 sums (only " + (p.get("SHA1") != null ? "SHA1" : p.get("MD5Sum") != null ? "MD5Sum" : "no") + " hashes): weak-hash-only metadata is refused");
    }
    Map<String, Sum> files = new LinkedHashMap<>();
    for (String line : sums.split("\n")) {
      if (line.isBlank()) continue;
      String[] f = line.strip().split("\\s+");
      if (f.length != 3) throw IntegrityException.malformed(url, "bad SHA256 line '" + line.strip() + "'");
      try {
        files.put(f[2], new Sum(Long.parseLong(f[1]), Digest.ofHex(f[0].toLowerCase(java.util.Locale.ROOT))));
      } catch (NumberFormatException e) {
        throw IntegrityException.malformed(url, "bad size in SHA256 line '" + line.strip() + "'");
      }
    }
    // "No-Support-for-Architecture-all: Packages": the binary-<arch> indexes list the 'all' packages
    // too, so apt does not read binary-all (which repeats them).
    String noAll = p.get("No-Support-for-Architecture-all");
    return new UpstreamRelease(url, files, noAll != null && noAll.strip().equals("Packages"));
  }

  /**
   * The variants of an index that the Release lists, in the order to try them: gz, then xz, then
   * plain (which archives list but often do not serve). gz first: the JDK inflates it with zlib
   * about six times as fast as the pure-Java xz decoder (a 50 MB Debian index: ~0.5 s against
   * ~3 s of CPU), for about a third more bytes to download.
   */
  List<String> variants(String path) {
    List<String> out = new ArrayList<>(3);
    for (String v : List.of(path + ".gz", path + ".xz", path)) {
      if (sha256.containsKey(v)) out.add(v);
    }
    return out;
  }

  static Instant parseDate(String text, String where) {
    String t = text.strip().replaceAll("\\s+", " ").replace(" UTC", " GMT").replace(" +0000", " GMT");
    try {
      return ZonedDateTime.parse(t, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new TrustException(where + ": unreadable date '" + text + "'");
    }
  }
}

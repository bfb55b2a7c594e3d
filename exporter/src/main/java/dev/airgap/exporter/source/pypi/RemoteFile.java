package dev.airgap.exporter.source.pypi;

import dev.airgap.core.Digest;
import java.net.URI;
import java.nio.file.Path;

/**
 * One distribution file as an index lists it.
 *
 * @param url where to download it ({@code http(s)://} or {@code file://})
 * @param sha256 the index's hash; every download is checked against it
 * @param requiresPython {@code data-requires-python}, or null
 * @param metadataOffered whether the index serves {@code <url>.metadata} (PEP 658/714)
 * @param metadataSha256 the metadata file's hash when the index gave one, else null
 * @param yanked null when not yanked, else the reason (possibly empty)
 * @param localFile for a wheelhouse file, the file itself (hashed in place), else null
 * @param origin the index or wheelhouse that listed it (for messages)
 */
public record RemoteFile(DistFilename name, URI url, Digest sha256, String requiresPython, boolean metadataOffered, Digest metadataSha256, String yanked,
    Path localFile, String origin) {
  public String filename() {
    return name.filename();
  }

  public boolean isYanked() {
    return yanked != null;
  }
}

package dev.airgap.exporter.source;

import java.util.Locale;
import java.util.Map;

/** Media types recorded in the manifest for plain files, by extension; the mirror serves them. */
public final class MediaTypes {
  public static final String OCTET_STREAM = "application/octet-stream";
  private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
      Map.entry("json", "application/json"),
      Map.entry("txt", "text/plain; charset=utf-8"),
      Map.entry("md", "text/markdown; charset=utf-8"),
      Map.entry("yaml", "application/yaml"),
      Map.entry("yml", "application/yaml"),
      Map.entry("csv", "text/csv; charset=utf-8"),
      Map.entry("html", "text/plain; charset=utf-8"),
      Map.entry("xml", "application/xml"),
      Map.entry("tar", "application/x-tar"),
      Map.entry("gz", "application/gzip"),
      Map.entry("zip", "application/zip"),
      Map.entry("pdf", "application/pdf"),
      Map.entry("png", "image/png"),
      Map.entry("jpg", "image/jpeg"));

  private MediaTypes() {}

  /** HTML is recorded as text/plain on purpose: the mirror must never render uploaded markup. */
  public static String forName(String fileName) {
    int dot = fileName.lastIndexOf('.');
    if (dot < 0) return OCTET_STREAM;
    return BY_EXTENSION.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), OCTET_STREAM);
  }
}

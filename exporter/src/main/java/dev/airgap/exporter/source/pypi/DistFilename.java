package dev.airgap.exporter.source.pypi;

import dev.airgap.core.mirror.pypi.PypiNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A distribution file name: a wheel ({@code name-ver(-build)?-py-abi-plat.whl}, PEP 427/491, with
 * compressed tag sets) or an sdist ({@code name-ver.tar.gz} / {@code .zip}).
 *
 * @param project the normalised project name
 * @param tags for a wheel, every {@code py-abi-plat} tag it supports; empty for an sdist
 */
public record DistFilename(String filename, String project, Version version, boolean wheel, List<String> tags) {
  public DistFilename {
    tags = List.copyOf(tags);
  }

  /** Parses a file name; null when it is not a wheel or sdist name we can use. */
  public static DistFilename parse(String filename) {
    if (filename == null || filename.contains("/") || filename.contains("\\")) return null;
    String lower = filename.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".whl")) {
      String[] parts = filename.substring(0, filename.length() - 4).split("-");
      if (parts.length != 5 && parts.length != 6) return null;
      if (!PypiNames.isValid(parts[0])) return null;
      Version v = Version.tryParse(parts[1]);
      if (v == null) return null;
      int t = parts.length - 3;
      List<String> tags = new ArrayList<>();
      for (String py : parts[t].split("\\.")) {
        for (String abi : parts[t + 1].split("\\.")) {
          for (String plat : parts[t + 2].split("\\.")) tags.add(py + "-" + abi + "-" + plat);
        }
      }
      return new DistFilename(filename, PypiNames.normalize(parts[0]), v, true, tags);
    }
    String stem;
    if (lower.endsWith(".tar.gz")) stem = filename.substring(0, filename.length() - 7);
    else if (lower.endsWith(".zip")) stem = filename.substring(0, filename.length() - 4);
    else return null;
    // the name may contain '-' in old sdists: the version is after the last '-' that leaves a valid version
    for (int i = stem.lastIndexOf('-'); i > 0; i = stem.lastIndexOf('-', i - 1)) {
      String name = stem.substring(0, i);
      Version v = Version.tryParse(stem.substring(i + 1));
      if (v != null && PypiNames.isValid(name)) return new DistFilename(filename, PypiNames.normalize(name), v, false, List.of());
    }
    return null;
  }

  /** Whether this is a .tar.gz sdist (preferred over .zip). */
  public boolean isTarGz() {
    return !wheel && filename.toLowerCase(Locale.ROOT).endsWith(".tar.gz");
  }
}

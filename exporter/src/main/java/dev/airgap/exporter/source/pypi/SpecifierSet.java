package dev.airgap.exporter.source.pypi;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A comma-separated set of {@link Specifier}s (all must match); empty matches every version. */
public record SpecifierSet(List<Specifier> specifiers) {
  public static final SpecifierSet ANY = new SpecifierSet(List.of());

  public SpecifierSet {
    specifiers = List.copyOf(specifiers);
  }

  public static SpecifierSet parse(String text) {
    if (text == null || text.isBlank()) return ANY;
    List<Specifier> out = new ArrayList<>();
    for (String part : text.split(",")) out.add(Specifier.parse(part));
    return new SpecifierSet(out);
  }

  public boolean allowsPrereleases() {
    return specifiers.stream().anyMatch(Specifier::allowsPrereleases);
  }

  public boolean hasExactPin() {
    return specifiers.stream().anyMatch(Specifier::isExactPin);
  }

  /** Whether every clause matches; pre-release policy is up to the caller. */
  public boolean matches(Version v) {
    for (Specifier s : specifiers) if (!s.matches(v)) return false;
    return true;
  }

  /**
   * PEP 440 containment as installers apply it to one version: pre-releases only when a clause
   * names one (or {@code prereleases} is set).
   */
  public boolean contains(Version v, boolean prereleases) {
    if (v.isPrerelease() && !prereleases && !allowsPrereleases()) return false;
    return matches(v);
  }

  public boolean isEmpty() {
    return specifiers.isEmpty();
  }

  @Override
  public String toString() {
    return specifiers.stream().map(Specifier::toString).collect(Collectors.joining(","));
  }
}

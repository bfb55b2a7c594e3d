package dev.airgap.exporter.source.apt;

import dev.airgap.core.Digest;
import dev.airgap.core.mirror.apt.ControlParagraph;
import dev.airgap.core.mirror.apt.DebVersion;
import java.util.List;

/** A package an upstream {@code Packages} index offers, with what resolution and download need. */
record Candidate(String name, DebVersion version, String architecture, String component, String filename, long size, Digest sha256,
    List<List<Relation>> depends, List<List<Relation>> recommends, List<Relation> provides, ControlParagraph control) {

  static Candidate of(ControlParagraph p, String component) {
    String name = p.get("Package");
    String version = p.get("Version");
    String arch = p.get("Architecture");
    String filename = p.get("Filename");
    String size = p.get("Size");
    String sha = p.get("SHA256");
    if (name == null || version == null || arch == null || filename == null || size == null) {
      throw new IllegalArgumentException("stanza " + name + " lacks Package, Version, Architecture, Filename or Size");
    }
    if (sha == null) throw new IllegalArgumentException("package " + name + " " + version + " has no SHA256 (weak hashes only)");
    List<List<Relation>> depends = new java.util.ArrayList<>(Relation.parseField(p.folded("Pre-Depends")));
    depends.addAll(Relation.parseField(p.folded("Depends")));
    List<Relation> provides = Relation.parseField(p.folded("Provides")).stream().flatMap(List::stream).toList();
    long sz;
    try {
      sz = Long.parseLong(size.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("package " + name + ": bad Size '" + size + "'");
    }
    return new Candidate(name, DebVersion.parse(version), arch, component, filename.strip(), sz, Digest.ofHex(sha.strip()),
        depends, Relation.parseField(p.folded("Recommends")), provides, p);
  }

  String label() {
    return name + " " + version + " (" + architecture + ")";
  }
}

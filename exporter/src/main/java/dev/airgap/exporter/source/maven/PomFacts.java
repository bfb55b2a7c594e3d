package dev.airgap.exporter.source.maven;

import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.model.License;
import org.apache.maven.model.Model;
import org.apache.maven.model.Parent;
import org.apache.maven.model.io.xpp3.MavenXpp3Reader;

/**
 * Facts for reviewers and the SBOM, read from the exported POMs themselves: packaging, license
 * (inherited from the parent POM when the POM names none), project URL and SCM URL. Values that
 * still hold an unresolved {@code ${property}} are left out rather than shown half-interpolated.
 */
final class PomFacts {
  private final Map<String, MavenResolver.Resolved> poms = new HashMap<>();
  private final Map<String, Model> models = new HashMap<>();

  PomFacts(List<MavenResolver.Resolved> files) {
    for (MavenResolver.Resolved r : files) {
      if (r.extension().equals("pom") && r.classifier().isEmpty()) poms.put(gav(r.groupId(), r.artifactId(), r.version()), r);
    }
  }

  Map<String, String> of(String groupId, String artifactId, String version) {
    Map<String, String> props = new LinkedHashMap<>();
    Model model = model(gav(groupId, artifactId, version));
    props.put("packaging", model == null || model.getPackaging() == null ? "jar" : model.getPackaging());
    if (model == null) return props;
    String license = license(model);
    if (license != null) props.put("license", license);
    putIfClean(props, "website", model.getUrl());
    if (model.getScm() != null) putIfClean(props, "vcs", model.getScm().getUrl());
    return props;
  }

  private String license(Model model) {
    Model m = model;
    for (int depth = 0; m != null && depth < 16; depth++) {
      List<String> names = new ArrayList<>();
      for (License l : m.getLicenses()) {
        String name = l.getName() != null && !l.getName().isBlank() ? l.getName() : l.getUrl();
        if (name != null && !name.isBlank() && !name.contains("${")) names.add(name.strip());
      }
      if (!names.isEmpty()) return String.join(", ", names);
      Parent p = m.getParent();
      m = p == null ? null : model(gav(p.getGroupId(), p.getArtifactId(), p.getVersion()));
    }
    return null;
  }

  private Model model(String gav) {
    if (models.containsKey(gav)) return models.get(gav);
    MavenResolver.Resolved r = poms.get(gav);
    Model model = null;
    if (r != null) {
      try (InputStream in = Files.newInputStream(r.file().toPath())) {
        model = new MavenXpp3Reader().read(in, false);
      } catch (Exception e) {
        model = null; // facts are optional: an odd POM only loses its properties
      }
    }
    models.put(gav, model);
    return model;
  }

  private static void putIfClean(Map<String, String> props, String key, String value) {
    if (value != null && !value.isBlank() && !value.contains("${")) props.put(key, value.strip());
  }

  private static String gav(String g, String a, String v) {
    return g + ":" + a + ":" + v;
  }
}

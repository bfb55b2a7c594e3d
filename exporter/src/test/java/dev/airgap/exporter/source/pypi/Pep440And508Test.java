package dev.airgap.exporter.source.pypi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PEP 440 ordering and specifiers, PEP 508 requirements and markers, wheel tags: the rules resolution rests on. */
class Pep440And508Test {
  @Test
  void versionsOrderAsPep440Says() {
    List<String> ordered = List.of("1.0.dev1", "1.0a1", "1.0a2.dev1", "1.0b1", "1.0rc1", "1.0", "1.0+local.1", "1.0.post1.dev1", "1.0.post1", "1.1", "1!0.5");
    for (int i = 1; i < ordered.size(); i++) {
      assertTrue(Version.parse(ordered.get(i - 1)).compareTo(Version.parse(ordered.get(i))) < 0, ordered.get(i - 1) + " < " + ordered.get(i));
    }
    assertEquals(Version.parse("1.0"), Version.parse("1.0.0"));
    assertEquals("1.0rc1.post2.dev3", Version.parse("1.0-RC1-post2.dev3").toString());
    assertEquals("1.0.post1", Version.parse("1.0-1").toString());
  }

  @Test
  void specifiersIncludingPrereleaseRules() {
    assertTrue(SpecifierSet.parse("~=2.2").contains(Version.parse("2.9"), false));
    assertFalse(SpecifierSet.parse("~=2.2").contains(Version.parse("3.0"), false));
    assertTrue(SpecifierSet.parse("==2.1.*").contains(Version.parse("2.1.7"), false));
    assertFalse(SpecifierSet.parse("==2.1.*").contains(Version.parse("2.10"), false));
    assertFalse(SpecifierSet.parse(">=1.0").contains(Version.parse("2.0rc1"), false));
    assertTrue(SpecifierSet.parse(">=2.0rc1").contains(Version.parse("2.0rc2"), false));
    assertFalse(SpecifierSet.parse("<2.0").contains(Version.parse("2.0rc1"), true), "<V excludes V's pre-releases");
    assertFalse(SpecifierSet.parse(">1.0").contains(Version.parse("1.0.post1"), false), ">V excludes V's post-releases");
    assertTrue(SpecifierSet.parse("==1.0").contains(Version.parse("1.0+local"), false));
    assertTrue(SpecifierSet.parse("==1.0").hasExactPin());
    assertFalse(SpecifierSet.parse("==1.*").hasExactPin());
    assertThrows(IllegalArgumentException.class, () -> SpecifierSet.parse(">=1.*"));
  }

  @Test
  void requirementsAndMarkers() {
    Requirement r = Requirement.parse("Foo_Bar[Fast,extra2] (>=1.0,<2) ; python_version < \"3.10\" and (sys_platform == 'win32' or extra == \"Fast\")");
    assertEquals("foo-bar", r.name());
    assertEquals(List.of("extra2", "fast"), List.copyOf(r.extras()));
    assertEquals(">=1.0,<2", r.specifiers().toString());
    Map<String, String> linux39 = TargetEnvironment.of("3.9", "manylinux_2_17_x86_64").markers();
    Map<String, String> win311 = TargetEnvironment.of("3.11", "win_amd64").markers();
    assertTrue(r.appliesTo(linux39, "fast"));
    assertFalse(r.appliesTo(linux39, ""));
    assertFalse(r.appliesTo(win311, "fast"), "python_version 3.11 is not < 3.10 (compared as versions, not strings)");
    assertTrue(Requirement.parse("x ; python_full_version >= '3.9.0' and platform_machine == 'AMD64'").appliesTo(win311, ""));
    assertThrows(IllegalArgumentException.class, () -> Requirement.parse("x ; bogus_var == '1'"));
    assertThrows(IllegalArgumentException.class, () -> Requirement.parse("x @ https://example.org/x.whl"));
  }

  @Test
  void wheelTagsAndPlatforms() {
    TargetEnvironment linux = TargetEnvironment.of("3.11", "manylinux_2_28_x86_64");
    DistFilename cp = DistFilename.parse("numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
    DistFilename abi3 = DistFilename.parse("cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl");
    DistFilename pure = DistFilename.parse("Requests-2.32.0-py3-none-any.whl");
    assertTrue(linux.wheelRank(cp) >= 0 && linux.wheelRank(abi3) > linux.wheelRank(cp) && linux.wheelRank(pure) > linux.wheelRank(abi3));
    assertEquals(-1, linux.wheelRank(DistFilename.parse("x-1.0-cp311-cp311-manylinux_2_31_x86_64.whl")), "newer glibc than the target");
    assertEquals(-1, linux.wheelRank(DistFilename.parse("x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl")));
    assertEquals(-1, TargetEnvironment.of("3.11", "any").wheelRank(cp));
    assertEquals("requests", pure.project());
    DistFilename sdist = DistFilename.parse("python-dateutil-2.9.0.post0.tar.gz");
    assertEquals("python-dateutil", sdist.project());
    assertEquals("2.9.0.post0", sdist.version().toString());
    assertTrue(TargetEnvironment.expandPlatform("musllinux_1_2_aarch64").contains("musllinux_1_0_aarch64"));
  }
}

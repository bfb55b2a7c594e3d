package dev.airgap.exporter.source.apt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageIndexTest {
  @TempDir Path tmp;

  @Test
  void relationsParseWithoutRegularExpressions() {
    assertEquals(new Relation("libc6", ">=", dev.airgap.core.mirror.apt.DebVersion.parse("2.36")), Relation.parse(" libc6 (>= 2.36) "));
    assertEquals("python3 (<= 3.12)", Relation.parse("python3:any (< 3.12)").toString());
    assertEquals("foo (>= 1:2.0~rc1-1)", Relation.parse("foo(>1:2.0~rc1-1)").toString());
    assertEquals("bar", Relation.parse("bar [amd64 arm64] <!nocheck> <stage1>").toString());
    assertEquals("baz (<< 2.0)", Relation.parse("baz (<< 2.0) [!i386]").toString());
    assertEquals("g++ (= 4:12.2.0-3)", Relation.parse("g++ (= 4:12.2.0-3)").toString());
    for (String bad : List.of("", "Foo", "foo (>= )", "foo (~ 1)", "foo (>= 1", "foo bar", "foo [amd64", "foo:", "-foo")) {
      assertThrows(IllegalArgumentException.class, () -> Relation.parse(bad), bad);
    }
    List<List<Relation>> field = Relation.parseField("a (>= 1) | b:any, c,, d [amd64] |e ");
    assertEquals(3, field.size());
    assertEquals("a (>= 1) | b", Relation.describe(field.get(0)));
    assertEquals("c", Relation.describe(field.get(1)));
    assertEquals("d | e", Relation.describe(field.get(2)));
    assertTrue(Relation.parseField(" ").isEmpty());
    assertTrue(Relation.parseField(null).isEmpty());
  }

  @Test
  void scanFindsStanzasByNameAndProvidesAndReadsThemFromDisk() throws IOException {
    String text = "# a comment\n"
        + "Package: tinymta\r\nVersion: 3.0\r\nArchitecture: amd64\r\nProvides: mail-transport-agent,\r\n default-mta (= 1.0)\r\n"
        + "Filename: pool/main/t/tinymta/tinymta_3.0_amd64.deb\r\nSize: 10\r\nSHA256: " + "a".repeat(64) + "\r\n\r\n"
        + stanza("hello", "1.0-1", "amd64", "Depends: libgreet (<< 2.0), mail-transport-agent")
        + stanza("libgreet", "1.2-1", "amd64", "") + "  \t\n\n\n"
        + stanza("libgreet", "2.0~beta1-1", "amd64", "")
        + stanza("hello", "0.9", "arm64", "");
    try (PackageIndex index = index(text, "main")) {
      assertEquals(5, index.stanzas());
      assertEquals(List.of("1.0-1", "0.9"), index.named("hello").stream().map(c -> c.version().toString()).toList());
      assertEquals(List.of("tinymta"), index.providing("mail-transport-agent").stream().map(Candidate::name).toList());
      assertEquals(List.of("tinymta"), index.providing("default-mta").stream().map(Candidate::name).toList());
      assertTrue(index.named("mail-transport-agent").isEmpty());
      Candidate hello = index.named("hello").get(0);
      assertEquals("libgreet (<< 2.0)", Relation.describe(hello.depends().get(0)));
      assertEquals("pool/main/h/hello/hello_1.0-1_amd64.deb", hello.filename());
      assertEquals("main", hello.component());

      Resolver resolver = new Resolver(index, "amd64", false, "test");
      assertEquals(List.of("hello 1.0-1 (amd64)", "libgreet 2.0~beta1-1 (amd64)", "tinymta 3.0 (amd64)"),
          resolver.resolve(List.of(Relation.parse("hello"))).stream().map(Candidate::label).toList());
      UsageException missing = assertThrows(UsageException.class, () -> new Resolver(index, "arm64", false, "test").resolve(List.of(Relation.parse("libgreet"))));
      assertTrue(missing.getMessage().contains("'libgreet' is not available for arm64"), missing.getMessage());
    }
  }

  @Test
  void laterIndexesComeAfterEarlierOnesForEqualCandidates() throws IOException {
    try (PackageIndex index = new PackageIndex()) {
      index.add(scan(stanza("tool", "1.0", "all", ""), "main", "a"));
      index.add(scan(stanza("tool", "1.0", "all", "") + stanza("tool", "2.0", "all", ""), "contrib", "b"));
      assertEquals(List.of("main 1.0", "contrib 1.0", "contrib 2.0"), index.named("tool").stream().map(c -> c.component() + " " + c.version()).toList());
      List<Candidate> chosen = new Resolver(index, "amd64", false, "test").resolve(List.of(Relation.parse("tool (<< 2.0)")));
      assertEquals("main", chosen.get(0).component());
    }
  }

  @Test
  void stanzasAreCheckedWhenRead() throws IOException {
    try (PackageIndex index = index("Package: nohash\nVersion: 1.0\nArchitecture: amd64\nFilename: pool/x.deb\nSize: 1\n", "main")) {
      assertEquals(1, index.stanzas());
      IntegrityException e = assertThrows(IntegrityException.class, () -> index.named("nohash"));
      assertTrue(e.getMessage().contains("has no SHA256"), e.getMessage());
    }
    IntegrityException noName = assertThrows(IntegrityException.class, () -> index("Version: 1.0\n\nPackage: b\n", "main"));
    assertTrue(noName.getMessage().contains("without a Package field"), noName.getMessage());
    IntegrityException twice = assertThrows(IntegrityException.class, () -> index("Package: a\npackage: b\n", "main"));
    assertTrue(twice.getMessage().contains("two Package fields"), twice.getMessage());
  }

  @Test
  void linesLongerThanTheReadBufferAreScanned() throws IOException {
    String provides = "Provides: " + "v".repeat(600_000) + "\n";
    try (PackageIndex index = index(stanza("big", "1.0", "amd64", provides.strip()) + stanza("after", "1.0", "amd64", ""), "main")) {
      assertEquals("big", index.providing("v".repeat(600_000)).get(0).name());
      assertEquals("after", index.named("after").get(0).name());
    }
  }

  private PackageIndex index(String text, String component) throws IOException {
    PackageIndex index = new PackageIndex();
    try {
      index.add(scan(text, component, "x"));
    } catch (RuntimeException e) {
      index.close();
      throw e;
    }
    return index;
  }

  private PackageIndex.Scan scan(String text, String component, String name) throws IOException {
    Path plain = Files.createTempFile(tmp, name, ".Packages");
    PackageIndex.Scan scan = PackageIndex.scan(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), plain, component, "http://upstream/" + name);
    assertEquals(text, Files.readString(plain));
    return scan;
  }

  private static String stanza(String name, String version, String arch, String extra) {
    return "Package: " + name + "\nVersion: " + version + "\nArchitecture: " + arch + "\n" + (extra.isEmpty() ? "" : extra + "\n")
        + "Filename: pool/main/" + name.charAt(0) + "/" + name + "/" + name + "_" + version + "_" + arch + ".deb\nSize: 10\nSHA256: " + "b".repeat(64)
        + "\nDescription: test\n long description\n\n";
  }
}

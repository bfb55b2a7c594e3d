package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airgap.core.Printable;
import dev.airgap.signing.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A character a terminal does not show as itself cannot disguise what a reviewer reads: export refuses a file name with
 * a bidirectional control or another invisible format character (one-line error with the name escaped, no bundle
 * written), and {@code inspect} escapes non-printable characters in what a bundle says (artifact names, properties).
 * The import side is in {@link HostileBundleTest}.
 */
class InvisibleCharacterTest {
  @TempDir Path tmp;

  @Test
  void exportRefusesRightToLeftOverrideInFileName() throws Exception {
    assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")), "file names are not UTF-8 here (sun.jnu.encoding)");
    Cli.run("keys", "generate", "--out", tmp.resolve("keys").toString(), "--name", "ops").expect(0);
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(docs.resolve("readme.txt"), "fine\n");
    // Shown by a terminal as "evilexe.txt".
    Files.writeString(docs.resolve("evil\u202Etxt.exe"), "MZ\n");
    Path out = tmp.resolve("out.bundle");
    Cli.Run r = Cli.run("export", "--key", tmp.resolve("keys/ops.key").toString(), "--out", out.toString(), "--channel", "lab", "--sequence", "1",
        "--files", docs.toString()).expect(3);
    String line = r.errorLine();
    assertTrue(line.startsWith("airgap: "), line);
    assertTrue(line.contains("docs/evil\\u202Etxt.exe"), line);
    assertTrue(line.contains("invisible format character U+202E"), line);
    assertTrue(line.codePoints().allMatch(Printable::shown), "raw character in: " + line);
    assertFalse(Files.exists(out), "no bundle is written");
    try (var left = Files.list(tmp)) {
      assertEquals(0, left.filter(p -> p.getFileName().toString().startsWith("out.bundle")).count(), "no partial bundle left behind");
    }
  }

  @Test
  void inspectEscapesNonPrintableCharactersInArtifactNamesAndProperties() throws Exception {
    SigningKey ops = BundleForge.newKey(tmp.resolve("keys"), "ops");
    Path bundle = new BundleForge().channel("lab").sequence(1).signedBy(ops)
        .artifact("files", "evil\u202Etxt.exe", "1", "pkg:generic/evil@1", Map.of("note", "fine\nWARNING: nothing to see", "colour", "\u001b[31mred"))
        .file("docs/readme.txt", "hello\n")
        .write(tmp.resolve("b.bundle")).path();
    String text = Cli.run("inspect", bundle.toString()).expect(0).out();
    assertTrue(text.contains("evil\\u202Etxt.exe"), text);
    assertTrue(text.contains("note: fine\\x0aWARNING: nothing to see"), text);
    assertTrue(text.contains("colour: \\x1b[31mred"), text);
    assertTrue(text.lines().noneMatch(l -> l.startsWith("WARNING: nothing")), "a property forged a line:\n" + text);
    assertTrue(text.codePoints().allMatch(c -> c == '\n' || Printable.shown(c)), "raw character in:\n" + text);
  }
}

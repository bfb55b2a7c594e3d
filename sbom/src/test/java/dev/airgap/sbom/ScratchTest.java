package dev.airgap.sbom;
import org.junit.jupiter.api.Test;
class ScratchTest {
  @Test void dump() throws Exception {
    byte[] b = SbomGenerator.generate(SbomTest.manifest());
    java.nio.file.Files.write(java.nio.file.Path.of("/tmp/sbomscratch/out.json"), b);
    StringBuilder sb = new StringBuilder();
    for (String s : new String[]{"\"alg\": \"SHA-256\"|\"alg\": \"MD5\"", "\"name\": \"dataset\"|\"name\": \"dataset\", \"evil\": 1", "\"type\": \"file\"|\"type\": \"nope\""}) {
      String[] p = s.split("\\|");
      try { SbomChecker.check(new String(b).replaceFirst(java.util.regex.Pattern.quote(p[0]), p[1]).getBytes(), SbomTest.manifest()); sb.append("ACCEPTED ").append(s).append('\n'); }
      catch (Exception e) { sb.append(e.getMessage()).append('\n'); }
    }
    java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/sbomscratch/msgs.txt"), sb);
  }
}

package dev.airgap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class FilesSlice implements Slice {
  @Override public String type() { return "files"; }
  @Override public String sbomComponentType() { return "file"; }
  @Override public String purlPrefix() { return "pkg:generic/"; }

  @Override
  public List<String> exportArgs(Path dir) throws Exception {
    Cli.sample(dir.resolve("sample"), 1);
    return List.of("--files", dir.resolve("sample/files/docs").toString());
  }

  @Override
  public Map<String, Path> expectedUrls(Path dir, String channel) {
    Map<String, Path> m = new LinkedHashMap<>();
    for (String p : List.of("README.txt", "data.json", "empty.txt", "nested/copy-a.txt", "nested/copy-b.txt", "nested/r%C3%A9sum%C3%A9.txt")) {
      String fsName = java.net.URLDecoder.decode(p, java.nio.charset.StandardCharsets.UTF_8);
      m.put("/files/" + channel + "/docs/" + p, dir.resolve("sample/files/docs").resolve(fsName));
    }
    return m;
  }

  @Override
  public String mutate(Path dir, String channel) throws IOException {
    Files.writeString(dir.resolve("sample/files/docs/data.json"), "{\"changed\": true}\n");
    return "/files/" + channel + "/docs/data.json";
  }
}

package dev.airgap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class ModelSlice implements Slice {
  @Override public String type() { return "model"; }
  @Override public String sbomComponentType() { return "machine-learning-model"; }
  @Override public String purlPrefix() { return "pkg:huggingface/"; }

  @Override
  public List<String> exportArgs(Path dir) throws Exception {
    Cli.sample(dir.resolve("sample"), 1);
    return List.of("--model", dir.resolve("sample/models/tiny-model").toString());
  }

  @Override
  public Map<String, Path> expectedUrls(Path dir, String channel) {
    Map<String, Path> m = new LinkedHashMap<>();
    for (String p : List.of("config.json", "tokenizer.json", "model.safetensors")) {
      m.put("/files/" + channel + "/tiny-model/" + p, dir.resolve("sample/models/tiny-model").resolve(p));
    }
    return m;
  }

  @Override
  public String mutate(Path dir, String channel) throws IOException {
    Files.writeString(dir.resolve("sample/models/tiny-model/config.json"), "{\"hidden_size\": 128}\n");
    return "/files/" + channel + "/tiny-model/config.json";
  }
}

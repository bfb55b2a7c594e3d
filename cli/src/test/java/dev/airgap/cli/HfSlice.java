package dev.airgap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Hugging Face slice: a plain snapshot directory exported as a model repository, served under /hf/. */
final class HfSlice implements Slice {
  @Override public String type() { return "huggingface"; }
  @Override public String sbomComponentType() { return "machine-learning-model"; }
  @Override public String purlPrefix() { return "pkg:huggingface/"; }

  @Override
  public List<String> exportArgs(Path dir) throws Exception {
    HfEndToEndTest.makeFixture(dir.resolve("hf"), 1);
    Path spec = dir.resolve("hf.yaml");
    // No commit given: a content-derived id, so the mutated snapshot becomes a new commit that main points to.
    Files.writeString(spec, "artifacts:\n  - {type: huggingface, path: " + dir.resolve("hf/repo") + ", repo: example-org/tiny-model}\n");
    return List.of("--spec", spec.toString());
  }

  @Override
  public Map<String, Path> expectedUrls(Path dir, String channel) {
    Map<String, Path> m = new LinkedHashMap<>();
    for (String p : List.of("config.json", "tokenizer.json", "model.safetensors", "sub/notes.txt")) {
      m.put("/hf/example-org/tiny-model/resolve/main/" + p, dir.resolve("hf/repo").resolve(p));
    }
    return m;
  }

  @Override
  public String mutate(Path dir, String channel) throws IOException {
    Files.writeString(dir.resolve("hf/repo/config.json"), "{\"hidden_size\": 128}\n");
    return "/hf/example-org/tiny-model/resolve/main/config.json";
  }
}

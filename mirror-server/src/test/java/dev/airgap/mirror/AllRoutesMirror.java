package dev.airgap.mirror;

import dev.airgap.core.Digest;
import dev.airgap.core.mirror.apt.AptIndex;
import dev.airgap.core.mirror.git.GitIndex;
import dev.airgap.core.mirror.hf.HfIndex;
import dev.airgap.core.mirror.maven.MavenIndex;
import dev.airgap.core.mirror.oci.OciIndex;
import dev.airgap.core.mirror.pypi.PypiIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A published generation in which every ecosystem route serves one large blob (and files a small
 * one), laid out the way the importer writes it, plus a real bare git repository whose pack holds
 * the same large content: what the hostile-load tests aim at.
 */
final class AllRoutesMirror {
  static final int BIG_SIZE = 8 << 20;
  static final String SMALL = "small file\n";
  static final String GIT_REPO = "big";
  static final String HF_REPO = "org/model";

  final MirrorFixture fixture;
  final byte[] big = new byte[BIG_SIZE];
  final Digest bigDigest;
  /** The commit of the git repository (what an upload-pack request wants). */
  final String gitCommit;

  AllRoutesMirror(Path root, Path scratch) throws IOException, InterruptedException {
    new Random(7).nextBytes(big);
    fixture = new MirrorFixture(root);
    Path gen = fixture.generation(1, List.of(new MirrorFixture.File("chan", "small.txt", SMALL),
        new MirrorFixture.File("chan", "big.bin", big, "application/octet-stream")), List.of());
    bigDigest = Digest.of(big);
    String hex = bigDigest.hex();
    long size = big.length;

    new PypiIndex(Map.of("bigpkg", new PypiIndex.Project("bigpkg", Map.of("bigpkg-1.0-py3-none-any.whl",
        new PypiIndex.DistFile("1.0", bigDigest, size, null, null, null, "chan", "b1"))))).write(gen);
    new OciIndex(Map.of("lab/big", new OciIndex.Repository(Map.of(), Map.of(), Map.of("sha256:" + hex, size)))).write(gen);
    new MavenIndex(Map.of("org/example/big/1.0/big-1.0.jar", new MavenIndex.FileEntry(bigDigest, size, "application/java-archive",
        hexDigest("SHA-1", big), hexDigest("SHA-512", big), hexDigest("MD5", big), "b1", "chan")), Map.of()).write(gen);
    new AptIndex(Map.of("pool/main/b/big/big_1.0_all.deb", new AptIndex.PoolEntry(bigDigest, size, "Package: big\n", "b1")), Map.of(), Map.of()).write(gen);
    String commit = "0123456789abcdef0123456789abcdef01234567";
    new HfIndex(Map.of(HfIndex.MODEL, Map.of(HF_REPO, new HfIndex.Repo(commit, Map.of(), Set.of(), Map.of(commit,
        new HfIndex.Commit("b1", MirrorFixture.T0, null, Map.of("model.safetensors", new HfIndex.File(bigDigest, size, true, hexDigest("SHA-1", big))))))))).write(gen);

    Path work = scratch.resolve("git-work");
    Files.createDirectories(work);
    Files.write(work.resolve("big.bin"), big);
    git(work, "init", "-q", "-b", "main");
    git(work, "add", "big.bin");
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "big");
    gitCommit = git(work, "rev-parse", "HEAD").strip();
    Path bare = GitIndex.repoDir(gen, GIT_REPO);
    Files.createDirectories(bare.getParent());
    git(work, "clone", "-q", "--bare", "--no-local", work.toString(), bare.toString());
    new GitIndex(Map.of(GIT_REPO, new GitIndex.Repo("file:///nowhere", "main", Map.of("refs/heads/main", gitCommit), "chan", "b1"))).write(gen);
    fixture.publish(1);
  }

  /** One GET per blob route for the large content: path and query, as a client sends it. */
  List<String> bigBlobTargets() {
    return List.of("/files/chan/big.bin", "/pypi/files/bigpkg/bigpkg-1.0-py3-none-any.whl", "/v2/lab/big/blobs/sha256:" + bigDigest.hex(),
        "/maven2/org/example/big/1.0/big-1.0.jar", "/apt/pool/main/b/big/big_1.0_all.deb", "/hf/" + HF_REPO + "/resolve/main/model.safetensors");
  }

  /** A protocol v0 upload-pack request that asks for the whole repository: the response is a pack of the large content. */
  byte[] uploadPackBody() {
    String want = "want " + gitCommit + "\n";
    String body = String.format("%04x", want.length() + 4) + want + "0000" + "0009done\n";
    return body.getBytes(StandardCharsets.US_ASCII);
  }

  private static String hexDigest(String algorithm, byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("git " + args[0] + " failed: " + out);
    return out;
  }
}

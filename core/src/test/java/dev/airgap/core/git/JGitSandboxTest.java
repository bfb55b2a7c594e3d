package dev.airgap.core.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.SystemReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JGit's host name never comes from the resolver (ZeroEgressTest proves the whole side asks no DNS). */
class JGitSandboxTest {
  @Test
  void hostNameAndDefaultIdentityAreConstant(@TempDir Path dir) throws Exception {
    assumeTrue(System.getenv("GIT_COMMITTER_EMAIL") == null, "GIT_COMMITTER_EMAIL is set: JGit takes the identity from it");
    JGitSandbox.install();
    assertEquals(JGitSandbox.HOST_NAME, SystemReader.getInstance().getHostname());
    try (Repository repo = new FileRepositoryBuilder().setGitDir(dir.resolve("r.git").toFile()).setBare().build()) {
      repo.create(true);
      // The identity JGit puts on a reflog entry when none is given: user@<host name>.
      String email = new PersonIdent(repo).getEmailAddress();
      assertEquals("@" + JGitSandbox.HOST_NAME, email.substring(email.indexOf('@')), email);
    }
  }
}

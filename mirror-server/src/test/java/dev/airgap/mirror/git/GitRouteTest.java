package dev.airgap.mirror.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The request parsing the git route does itself (the protocol is JGit's, tested end to end in cli). */
class GitRouteTest {
  @Test
  void serviceParameter() {
    assertNull(GitRoute.service(null));
    assertNull(GitRoute.service(""));
    assertNull(GitRoute.service("foo=bar"));
    assertEquals("git-upload-pack", GitRoute.service("service=git-upload-pack"));
    assertEquals("git-receive-pack", GitRoute.service("service=git-receive-pack"));
    assertEquals("", GitRoute.service("service=git-upload-archive"), "any other service is refused");
    assertEquals("", GitRoute.service("service=git-upload-pack&service=git-receive-pack"), "two services are refused");
    assertEquals("", GitRoute.service("service=git%2dupload-pack"), "no decoding: git never encodes it");
  }

  @Test
  void protocolHeader() {
    assertEquals(List.of(), GitRoute.protocolParameters(null));
    assertEquals(List.of("version=2"), GitRoute.protocolParameters("version=2"));
    assertEquals(List.of("version=2", "object-format=sha1"), GitRoute.protocolParameters("version=2:object-format=sha1"));
    assertEquals(List.of("version=2"), GitRoute.protocolParameters("version=2::bad value"), "empty and non-printable parameters dropped");
    assertEquals(List.of(), GitRoute.protocolParameters("version=2:" + "x".repeat(2000)), "oversized header ignored");
  }
}

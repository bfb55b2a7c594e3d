package dev.airgap.exporter.source.pypi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The index a project came from is recorded in the manifest and printed: never with its credentials. */
class IndexOriginTest {
  @Test
  void credentialsInTheIndexUrlAreDropped() {
    assertEquals("https://pypi.example.org:8443/simple/", PackageFinder.origin(URI.create("https://user:s3cret@pypi.example.org:8443/simple/")));
    assertEquals("https://pypi.example.org/simple/", PackageFinder.origin(URI.create("https://token@pypi.example.org/simple/")));
  }

  @Test
  void anIndexWithoutCredentialsIsKeptAsWritten() {
    assertEquals("http://127.0.0.1:8080/simple/", PackageFinder.origin(URI.create("http://127.0.0.1:8080/simple/")));
  }
}

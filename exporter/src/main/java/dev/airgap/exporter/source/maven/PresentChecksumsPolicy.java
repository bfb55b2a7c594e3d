package dev.airgap.exporter.source.maven;

import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.internal.impl.DefaultChecksumPolicyProvider;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.spi.connector.checksum.ChecksumPolicy;
import org.eclipse.aether.spi.connector.checksum.ChecksumPolicyProvider;
import org.eclipse.aether.transfer.ChecksumFailureException;
import org.eclipse.aether.transfer.TransferResource;

/**
 * Verifies a file against the strongest checksum the upstream publishes for it: the SHA-256 when
 * there is one (sent with the file by repository managers that send {@code X-Checksum-*} headers,
 * else its {@code .sha256}), otherwise the SHA-1; a mismatch fails. A file with no checksum at all
 * is accepted, since many repositories (a local repository used as upstream, some proxies) keep
 * none. Once one has matched, the weaker ones are not fetched: each would cost the upstream a
 * request and the export a round trip, and would prove nothing more. The bundle's own SHA-256
 * protects everything from here on.
 */
final class PresentChecksumsPolicy implements ChecksumPolicyProvider {
  private final DefaultChecksumPolicyProvider defaults = new DefaultChecksumPolicyProvider();

  @Override
  public ChecksumPolicy newChecksumPolicy(RepositorySystemSession session, RemoteRepository repository, TransferResource resource, String policy) {
    return new ChecksumPolicy() {
      @Override
      public boolean onChecksumMatch(String algorithm, ChecksumKind kind) {
        return true; // the algorithms are tried strongest first
      }

      @Override
      public void onChecksumMismatch(String algorithm, ChecksumKind kind, ChecksumFailureException exception) throws ChecksumFailureException {
        throw exception;
      }

      @Override
      public void onChecksumError(String algorithm, ChecksumKind kind, ChecksumFailureException exception) throws ChecksumFailureException {
        throw exception;
      }

      @Override
      public void onNoMoreChecksums() {
        // none published: accepted
      }

      @Override
      public void onTransferRetry() {}

      @Override
      public boolean onTransferChecksumFailure(ChecksumFailureException exception) {
        return false;
      }
    };
  }

  @Override
  public String getEffectiveChecksumPolicy(RepositorySystemSession session, String policy1, String policy2) {
    return defaults.getEffectiveChecksumPolicy(session, policy1, policy2);
  }
}

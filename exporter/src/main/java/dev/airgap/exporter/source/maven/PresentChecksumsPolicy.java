package dev.airgap.exporter.source.maven;

import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.internal.impl.DefaultChecksumPolicyProvider;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.spi.connector.checksum.ChecksumPolicy;
import org.eclipse.aether.spi.connector.checksum.ChecksumPolicyProvider;
import org.eclipse.aether.transfer.ChecksumFailureException;
import org.eclipse.aether.transfer.TransferResource;

/**
 * Verifies every checksum the upstream publishes for a file (each configured algorithm, not just
 * the first found) and fails on any mismatch; a file with no checksum at all is accepted, since
 * many repositories (a local repository used as upstream, some proxies) keep none. The bundle's
 * own SHA-256 protects everything from here on.
 */
final class PresentChecksumsPolicy implements ChecksumPolicyProvider {
  private final DefaultChecksumPolicyProvider defaults = new DefaultChecksumPolicyProvider();

  @Override
  public ChecksumPolicy newChecksumPolicy(RepositorySystemSession session, RemoteRepository repository, TransferResource resource, String policy) {
    return new ChecksumPolicy() {
      @Override
      public boolean onChecksumMatch(String algorithm, ChecksumKind kind) {
        return false; // keep checking the other algorithms the upstream has
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
        // none published (or all matched): accepted
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

package dev.airgap.exporter.source.oci;

import dev.airgap.core.Digest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body written to a file (the JDK's file subscriber) and hashed as it arrives. More
 * bytes than {@code limit} cancel the download, so a registry cannot fill the disk past what the
 * descriptor promised.
 */
final class HashingFileSubscriber implements HttpResponse.BodySubscriber<HashingFileSubscriber.Result> {
  /** What was written: the digest and size of the body. */
  record Result(Digest digest, long size) {}

  private final HttpResponse.BodySubscriber<Path> file;
  private final MessageDigest md = Digest.newMessageDigest();
  private final long limit;
  private long size;
  private Flow.Subscription subscription;
  private boolean failed;

  HashingFileSubscriber(Path target, long limit) {
    this.file = HttpResponse.BodySubscribers.ofFile(target);
    this.limit = limit < 0 ? Long.MAX_VALUE : limit;
  }

  @Override
  public CompletionStage<Result> getBody() {
    return file.getBody().thenApply(p -> new Result(Digest.fromRaw(md.digest()), size));
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    this.subscription = s;
    file.onSubscribe(s);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (failed) return;
    for (ByteBuffer b : buffers) {
      size += b.remaining();
      md.update(b.duplicate());
    }
    if (size > limit) {
      failed = true;
      subscription.cancel();
      file.onError(new IOException("more bytes than the " + limit + " the descriptor promised"));
      return;
    }
    file.onNext(buffers);
  }

  @Override
  public void onError(Throwable t) {
    if (!failed) file.onError(t);
  }

  @Override
  public void onComplete() {
    if (!failed) file.onComplete();
  }
}

package dev.airgap.mirror;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself (a malformed request line, an ambiguous URI, headers too large, an
 * idle timeout): a fixed one-line text/plain body per status, the mirror's security headers, and
 * never a message, a stack trace or a path.
 */
final class PlainErrorHandler extends ErrorHandler {
  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int code = response.getStatus();
    if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException httpException) {
      code = httpException.getCode();
    }
    if (code < 400 || code > 599) code = 500;
    response.setStatus(code);
    org.eclipse.jetty.http.HttpFields.Mutable headers = response.getHeaders();
    headers.put(HttpHeader.CACHE_CONTROL, MirrorHandler.CACHE_CONTROL);
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("Content-Security-Policy", MirrorHandler.CSP);
    if (HttpStatus.hasNoBody(code)) {
      callback.succeeded();
      return true;
    }
    byte[] body = body(code);
    headers.put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  static byte[] body(int code) {
    String reason = HttpStatus.getMessage(code);
    if (reason == null || reason.isEmpty()) reason = "error";
    return (reason.toLowerCase(Locale.ROOT) + "\n").getBytes(StandardCharsets.US_ASCII);
  }
}

package dev.airgap.exporter.source.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airgap.core.error.EnvironmentException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pull-only client of the OCI distribution API for one registry base URL: anonymous access, the
 * token flow a {@code WWW-Authenticate: Bearer} challenge asks for, or basic credentials from a
 * docker-style {@code auth.json}. Redirects (to blob storage) are followed by hand so that
 * credentials never go to another host.
 */
final class RegistryClient {
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("([A-Za-z]+)=\"([^\"]*)\"");
  private static final int MAX_REDIRECTS = 5;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final Optional<String> basicCredentials;
  private final HttpClient http;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  RegistryClient(URI base, Optional<String> basicCredentials) {
    this.base = base;
    this.basicCredentials = basicCredentials;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  URI base() {
    return base;
  }

  /** GET {@code /v2/<repository>/<path>}, authenticating as the registry asks; the caller closes the body. */
  HttpResponse<InputStream> get(String repository, String path, List<String> accept) {
    return get(repository, path, accept, HttpResponse.BodyHandlers.ofInputStream());
  }

  /** As {@link #get(String, String, List)} with a body handler of the caller's (which sees 401s and redirects too). */
  <T> HttpResponse<T> get(String repository, String path, List<String> accept, HttpResponse.BodyHandler<T> handler) {
    URI uri = base.resolve("/v2/" + repository + "/" + path);
    String scope = "repository:" + repository + ":pull";
    HttpResponse<T> r = send(uri, accept, authorization(scope), handler);
    if (r.statusCode() == 401) {
      String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
      close(r);
      String auth = authenticate(challenge, scope, uri);
      tokens.put(scope, auth);
      r = send(uri, accept, Optional.of(auth), handler);
      if (r.statusCode() == 401) {
        close(r);
        throw new EnvironmentException(uri + ": access denied (401) even after authenticating" + (basicCredentials.isEmpty() ? "; no credentials configured (auth:)" : ""));
      }
    }
    return r;
  }

  private Optional<String> authorization(String scope) {
    return Optional.ofNullable(tokens.get(scope));
  }

  private <T> HttpResponse<T> send(URI uri, List<String> accept, Optional<String> authorization, HttpResponse.BodyHandler<T> handler) {
    URI current = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(current).GET();
      for (String a : accept) b.header("Accept", a);
      // Credentials go to the registry's own origin only, never to a redirect target elsewhere.
      if (authorization.isPresent() && sameOrigin(current, uri)) b.header("Authorization", authorization.get());
      HttpResponse<T> r;
      try {
        r = http.send(b.build(), handler);
      } catch (IOException e) {
        throw EnvironmentException.io(current, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EnvironmentException(current + ": interrupted");
      }
      int status = r.statusCode();
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        Optional<String> location = r.headers().firstValue("Location");
        close(r);
        if (location.isEmpty()) throw new EnvironmentException(current + ": redirect without Location");
        current = current.resolve(location.get());
        if (!current.getScheme().equals("http") && !current.getScheme().equals("https")) throw new EnvironmentException(uri + ": redirect to a non-HTTP URL");
        continue;
      }
      return r;
    }
    throw new EnvironmentException(uri + ": more than " + MAX_REDIRECTS + " redirects");
  }

  /** Answers a 401 challenge: a bearer token from the realm it names, or basic credentials. */
  private String authenticate(String challenge, String scope, URI uri) {
    String scheme = challenge.split(" ", 2)[0].toLowerCase(Locale.ROOT);
    if (scheme.equals("basic")) {
      return basicCredentials.map(c -> "Basic " + c).orElseThrow(() -> new EnvironmentException(uri + ": registry asks for basic credentials; none configured (auth:)"));
    }
    if (!scheme.equals("bearer")) throw new EnvironmentException(uri + ": unsupported authentication challenge '" + scheme + "'");
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(challenge);
    while (m.find()) params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
    String realm = params.get("realm");
    if (realm == null) throw new EnvironmentException(uri + ": bearer challenge without a realm");
    StringBuilder q = new StringBuilder();
    if (params.containsKey("service")) q.append("service=").append(enc(params.get("service")));
    q.append(q.length() > 0 ? "&" : "").append("scope=").append(enc(params.getOrDefault("scope", scope)));
    URI tokenUri = URI.create(realm + (realm.contains("?") ? "&" : "?") + q);
    if (!tokenUri.getScheme().equals("http") && !tokenUri.getScheme().equals("https")) throw new EnvironmentException(uri + ": token realm is not an HTTP URL");
    HttpRequest.Builder b = HttpRequest.newBuilder(tokenUri).timeout(Duration.ofSeconds(60)).GET();
    basicCredentials.ifPresent(c -> b.header("Authorization", "Basic " + c));
    try {
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) throw new EnvironmentException(tokenUri + ": token request answered " + r.statusCode());
      if (r.body().length > 1 << 20) throw new EnvironmentException(tokenUri + ": token response too large");
      JsonNode n = JSON.readTree(r.body());
      JsonNode token = n.hasNonNull("token") ? n.get("token") : n.get("access_token");
      if (token == null || !token.isTextual() || token.asText().isBlank()) throw new EnvironmentException(tokenUri + ": token response has no token");
      return "Bearer " + token.asText();
    } catch (IOException e) {
      throw EnvironmentException.io(tokenUri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EnvironmentException(tokenUri + ": interrupted");
    }
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme()) && String.valueOf(a.getHost()).equalsIgnoreCase(String.valueOf(b.getHost())) && a.getPort() == b.getPort();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static void close(HttpResponse<?> r) {
    if (!(r.body() instanceof InputStream in)) return;
    try {
      in.close();
    } catch (IOException ignored) {
      // nothing to recover: the response is discarded
    }
  }
}

package dev.airgap.mirror.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * An upload-pack request body (already read, bounded) as git pkt-lines: checked for framing before
 * JGit sees it, so that a malformed body is the client's error (400), not an I/O failure; and the
 * one rewrite the route does, {@code deepen-relative}, which JGit's {@code UploadPack} does not
 * implement (docs/git.md).
 */
record UploadPackRequest(List<Line> lines) {
  /** Largest pkt-line git writes (LARGE_PACKET_MAX): 4 length digits and 65,516 bytes of data. */
  static final int MAX_PKT_LENGTH = 65520;
  static final String DEEPEN_RELATIVE = "deepen-relative";

  enum Kind { DATA, FLUSH, DELIM, RESPONSE_END }

  /** One pkt-line; {@code text} is the payload as ISO-8859-1 (byte for byte), without a trailing LF. */
  record Line(Kind kind, String text, boolean newline) {
    static Line data(String text) {
      return new Line(Kind.DATA, text, true);
    }
  }

  /** A body that is not a sequence of pkt-lines: the client's error. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message);
    }
  }

  static UploadPackRequest parse(byte[] body) throws Malformed {
    List<Line> lines = new ArrayList<>();
    int at = 0;
    while (at < body.length) {
      if (body.length - at < 4) throw new Malformed("truncated pkt-line length at byte " + at);
      int length = 0;
      for (int i = 0; i < 4; i++) {
        int digit = Character.digit(body[at + i], 16);
        if (digit < 0) throw new Malformed("bad pkt-line length '" + printable(body, at, 4) + "' at byte " + at);
        length = length * 16 + digit;
      }
      if (length == 0) lines.add(new Line(Kind.FLUSH, "", false));
      else if (length == 1) lines.add(new Line(Kind.DELIM, "", false));
      else if (length == 2) lines.add(new Line(Kind.RESPONSE_END, "", false));
      else if (length == 3 || length > MAX_PKT_LENGTH) throw new Malformed("bad pkt-line length " + length + " at byte " + at);
      else if (at + length > body.length) throw new Malformed("pkt-line at byte " + at + " needs " + length + " bytes, the body has " + (body.length - at));
      else {
        int end = at + length;
        boolean newline = body[end - 1] == '\n';
        lines.add(new Line(Kind.DATA, new String(body, at + 4, length - 4 - (newline ? 1 : 0), StandardCharsets.ISO_8859_1), newline));
      }
      at += length < 4 ? 4 : length;
    }
    if (lines.isEmpty()) throw new Malformed("empty request");
    Line last = lines.get(lines.size() - 1);
    // Every request ends with a flush (v2 and the v0 want list) or v0's "done".
    if (last.kind() != Kind.FLUSH && !(last.kind() == Kind.DATA && last.text().equals("done"))) {
      throw new Malformed("request does not end with a flush-pkt or 'done'");
    }
    return new UploadPackRequest(List.copyOf(lines));
  }

  private static String printable(byte[] b, int from, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = from; i < from + n && i < b.length; i++) s.append(b[i] >= 0x20 && b[i] < 0x7f ? (char) b[i] : '?');
    return s.toString();
  }

  byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Line l : lines) {
      switch (l.kind()) {
        case FLUSH -> out.writeBytes(bytes("0000"));
        case DELIM -> out.writeBytes(bytes("0001"));
        case RESPONSE_END -> out.writeBytes(bytes("0002"));
        case DATA -> {
          byte[] payload = bytes(l.newline() ? l.text() + "\n" : l.text());
          out.writeBytes(bytes(String.format("%04x", payload.length + 4)));
          out.writeBytes(payload);
        }
      }
    }
    return out.toByteArray();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private boolean isV2() {
    return lines.get(0).kind() == Kind.DATA && lines.get(0).text().startsWith("command=");
  }

  /** Whether this is a protocol v0 request with a {@code deepen}, {@code deepen-since} or {@code deepen-not} line. */
  boolean v0Deepening() {
    return !isV2() && lines.stream().anyMatch(l -> l.kind() == Kind.DATA && l.text().startsWith("deepen"));
  }

  /** Whether the client asked for {@code deepen-relative} (a v2 argument, or a v0 capability of the first want). */
  boolean deepenRelative() {
    if (isV2()) return lines.stream().anyMatch(l -> l.kind() == Kind.DATA && l.text().equals(DEEPEN_RELATIVE));
    for (Line l : lines) {
      if (l.kind() == Kind.DATA && l.text().startsWith("want ")) return List.of(l.text().split(" ")).contains(DEEPEN_RELATIVE);
    }
    return false;
  }

  /**
   * The same request with {@code deepen-relative} and {@code deepen N} replaced by an absolute
   * {@code deepen D}: D reaches N commits below the client's deepest shallow commit (counted from
   * the wanted commits, shortest path), which is what git's own upload-pack sends when all shallow
   * commits are at one depth, and more history where they are not. Without any shallow commit
   * reachable from the wants, git sends the history unbounded: the deepen line is dropped.
   */
  UploadPackRequest withAbsoluteDepth(Repository repo) throws IOException {
    List<ObjectId> wants = new ArrayList<>();
    Set<ObjectId> shallows = new HashSet<>();
    int relative = -1;
    for (Line l : lines) {
      if (l.kind() != Kind.DATA) continue;
      String t = l.text();
      if (t.startsWith("want ")) id(t.substring(5)).ifPresent(wants::add);
      else if (t.startsWith("shallow ")) id(t.substring(8)).ifPresent(shallows::add);
      else if (t.startsWith("deepen ")) relative = positive(t.substring(7));
    }
    int absolute = relative < 0 ? -1 : depthBelowShallows(repo, wants, shallows, relative);
    List<Line> out = new ArrayList<>();
    for (Line l : lines) {
      String t = l.text();
      if (l.kind() == Kind.DATA && t.equals(DEEPEN_RELATIVE)) continue;
      if (l.kind() == Kind.DATA && t.startsWith("deepen ") && relative > 0) {
        if (absolute > 0) out.add(new Line(Kind.DATA, "deepen " + absolute, l.newline()));
        continue;
      }
      if (l.kind() == Kind.DATA && t.startsWith("want ") && t.contains(" " + DEEPEN_RELATIVE)) {
        List<String> words = new ArrayList<>(List.of(t.split(" ", -1)));
        words.removeIf(DEEPEN_RELATIVE::equals);
        out.add(new Line(Kind.DATA, String.join(" ", words), l.newline()));
        continue;
      }
      out.add(l);
    }
    return new UploadPackRequest(List.copyOf(out));
  }

  private static Optional<ObjectId> id(String s) {
    String hex = s.length() >= 40 ? s.substring(0, 40) : s;
    return ObjectId.isId(hex) ? Optional.of(ObjectId.fromString(hex)) : Optional.empty();
  }

  private static int positive(String s) {
    try {
      int n = Integer.parseInt(s.strip());
      return n > 0 ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code deepen} argument for "N below the deepest reachable shallow commit", or -1 when none is reachable. */
  private static int depthBelowShallows(Repository repo, List<ObjectId> wants, Set<ObjectId> shallows, int relative) throws IOException {
    if (shallows.isEmpty()) return -1;
    try (RevWalk walk = new RevWalk(repo)) {
      walk.setRetainBody(false);
      ArrayDeque<RevCommit> level = new ArrayDeque<>();
      Set<ObjectId> seen = new HashSet<>();
      for (ObjectId w : wants) {
        RevCommit c = commit(walk, w);
        if (c != null && seen.add(c)) level.add(c);
      }
      int deepest = -1;
      int remaining = shallows.size();
      // Breadth first: a commit's distance is its shortest path from a want, as JGit's DepthWalk counts.
      for (int distance = 0; !level.isEmpty() && remaining > 0; distance++) {
        ArrayDeque<RevCommit> next = new ArrayDeque<>();
        for (RevCommit c : level) {
          if (shallows.contains(c)) {
            deepest = distance;
            remaining--;
            continue; // the client has nothing below its shallow commit
          }
          walk.parseHeaders(c);
          for (RevCommit p : c.getParents()) if (seen.add(p)) next.add(p);
        }
        level = next;
      }
      if (deepest < 0) return -1;
      long depth = (long) deepest + relative + 1;
      return (int) Math.min(depth, Integer.MAX_VALUE);
    }
  }

  private static RevCommit commit(RevWalk walk, ObjectId id) throws IOException {
    try {
      RevObject o = walk.peel(walk.parseAny(id));
      return o instanceof RevCommit c ? c : null;
    } catch (MissingObjectException | IncorrectObjectTypeException e) {
      return null; // UploadPack itself refuses the want
    }
  }
}

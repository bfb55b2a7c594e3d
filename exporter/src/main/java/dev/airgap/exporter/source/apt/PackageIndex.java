package dev.airgap.exporter.source.apt;

import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.mirror.apt.ControlParagraph;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code Packages} indexes of an upstream, held in constant memory whatever their size: each
 * index is read once as a stream (written uncompressed to the work directory on the way) and only
 * the offset of every stanza is kept, found by its {@code Package} name and the names it
 * {@code Provides}. Resolution then reads and parses the few stanzas it looks at, from disk.
 *
 * <p>Scanning ({@link #scan}) is thread-safe and independent per index; {@link #add} merges scans
 * in the order the caller gives, so that ties between equal candidates are broken the same way
 * every run.
 */
final class PackageIndex implements AutoCloseable {
  /** Longest stanza accepted (Debian's longest are a few tens of KiB). */
  static final int MAX_STANZA = 1 << 20;

  private final List<Source> sources = new ArrayList<>();
  private final Map<String, Integer> byName = new HashMap<>();
  private final Map<String, Integer> byProvides = new HashMap<>();
  private long[] offsets = new long[1024];
  private int[] lengths = new int[1024];
  private short[] sourceOf = new short[1024];
  private int[] nextSameName = new int[1024];
  private int[] providerStanza = new int[256];
  private int[] nextProvider = new int[256];
  private int providers;
  private int stanzas;
  private final Map<Integer, Candidate> parsed = new HashMap<>();

  /** An uncompressed index on disk and where it came from. */
  private record Source(Path file, String component, String url, FileChannel channel) {}

  /** What one pass over an index found: per stanza its offset, length and name, and the names it provides. */
  static final class Scan {
    private final Path file;
    private final String component;
    private final String url;
    private int count;
    private long[] offsets = new long[4096];
    private int[] lengths = new int[4096];
    private String[] names = new String[4096];
    private int provides;
    private int[] providesStanza = new int[256];
    private String[] providesName = new String[256];

    private Scan(Path file, String component, String url) {
      this.file = file;
      this.component = component;
      this.url = url;
    }

    private void stanza(long offset, int length, String name) {
      if (count == offsets.length) {
        offsets = Arrays.copyOf(offsets, count * 2);
        lengths = Arrays.copyOf(lengths, count * 2);
        names = Arrays.copyOf(names, count * 2);
      }
      offsets[count] = offset;
      lengths[count] = length;
      names[count] = name;
      count++;
    }

    private void provides(String name) {
      if (provides == providesName.length) {
        providesStanza = Arrays.copyOf(providesStanza, provides * 2);
        providesName = Arrays.copyOf(providesName, provides * 2);
      }
      providesStanza[provides] = count; // the stanza being read, recorded when it ends
      providesName[provides] = name;
      provides++;
    }

    int stanzas() {
      return count;
    }
  }

  /**
   * Reads an uncompressed index stream once, copying it to {@code plain}. {@code url} names the
   * index in errors; an {@link IOException} is the stream's (writing the copy fails as an
   * {@link EnvironmentException}).
   */
  static Scan scan(InputStream in, Path plain, String component, String url) throws IOException {
    Scan scan = new Scan(plain, component, url);
    OutputStream out;
    try {
      out = Files.newOutputStream(plain);
    } catch (IOException e) {
      throw EnvironmentException.io(plain, e);
    }
    try (OutputStream copy = new CopyFailsAsEnvironment(out, plain)) {
      new Scanner(in, copy, scan).run();
    } catch (IllegalArgumentException e) {
      throw IntegrityException.malformed(url, "malformed Packages index: " + e.getMessage());
    }
    return scan;
  }

  /** The uncompressed copy: its write errors are the disk's, not the upstream's. */
  private static final class CopyFailsAsEnvironment extends FilterOutputStream {
    private final Path file;

    CopyFailsAsEnvironment(OutputStream out, Path file) {
      super(out);
      this.file = file;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw EnvironmentException.io(file, e);
      }
    }

    @Override
    public void close() {
      try {
        out.close();
      } catch (IOException e) {
        throw EnvironmentException.io(file, e);
      }
    }
  }

  /** Adds a scan's stanzas after those already added. */
  void add(Scan scan) {
    if (sources.size() == Short.MAX_VALUE) throw new IllegalStateException("too many indexes");
    FileChannel channel;
    try {
      channel = FileChannel.open(scan.file, StandardOpenOption.READ);
    } catch (IOException e) {
      throw EnvironmentException.io(scan.file, e);
    }
    short source = (short) sources.size();
    sources.add(new Source(scan.file, scan.component, scan.url, channel));
    int base = stanzas;
    ensure(stanzas + scan.count);
    for (int i = 0; i < scan.count; i++) {
      int id = base + i;
      offsets[id] = scan.offsets[i];
      lengths[id] = scan.lengths[i];
      sourceOf[id] = source;
    }
    for (int i = 0; i < scan.count; i++) { // chains run newest first; named() reverses them
      Integer head = byName.put(scan.names[i], base + i);
      nextSameName[base + i] = head == null ? -1 : head;
    }
    stanzas += scan.count;
    for (int i = 0; i < scan.provides; i++) {
      if (providers == providerStanza.length) {
        providerStanza = Arrays.copyOf(providerStanza, providers * 2);
        nextProvider = Arrays.copyOf(nextProvider, providers * 2);
      }
      providerStanza[providers] = base + scan.providesStanza[i];
      Integer head = byProvides.put(scan.providesName[i], providers);
      nextProvider[providers] = head == null ? -1 : head;
      providers++;
    }
  }

  private void ensure(int n) {
    if (n <= offsets.length) return;
    int size = Math.max(n, offsets.length * 2);
    offsets = Arrays.copyOf(offsets, size);
    lengths = Arrays.copyOf(lengths, size);
    sourceOf = Arrays.copyOf(sourceOf, size);
    nextSameName = Arrays.copyOf(nextSameName, size);
  }

  int stanzas() {
    return stanzas;
  }

  /** Every stanza named {@code name}, in index order. */
  List<Candidate> named(String name) {
    List<Candidate> out = new ArrayList<>();
    Integer head = byName.get(name);
    for (int id = head == null ? -1 : head; id >= 0; id = nextSameName[id]) out.add(candidate(id));
    Collections.reverse(out);
    return out;
  }

  /** Every stanza that lists {@code name} in its {@code Provides}, in index order. */
  List<Candidate> providing(String name) {
    List<Candidate> out = new ArrayList<>();
    Integer head = byProvides.get(name);
    for (int p = head == null ? -1 : head; p >= 0; p = nextProvider[p]) out.add(candidate(providerStanza[p]));
    Collections.reverse(out);
    return out;
  }

  private Candidate candidate(int id) {
    Candidate c = parsed.get(id);
    if (c != null) return c;
    Source s = sources.get(sourceOf[id]);
    ByteBuffer buf = ByteBuffer.allocate(lengths[id]);
    try {
      while (buf.hasRemaining()) {
        if (s.channel().read(buf, offsets[id] + buf.position()) < 0) throw new IOException("ends inside a stanza");
      }
    } catch (IOException e) {
      throw EnvironmentException.io(s.file(), e);
    }
    try {
      c = Candidate.of(ControlParagraph.parseOne(new String(buf.array(), StandardCharsets.UTF_8)), s.component());
    } catch (IllegalArgumentException e) {
      throw IntegrityException.malformed(s.url(), "malformed Packages index: " + e.getMessage());
    }
    parsed.put(id, c);
    return c;
  }

  @Override
  public void close() {
    for (Source s : sources) {
      try {
        s.channel().close();
      } catch (IOException ignored) {
        // read-only work file, removed with the work directory
      }
    }
  }

  /** One pass over index bytes: stanza boundaries, the Package field and the Provides field, on raw bytes. */
  private static final class Scanner {
    private static final byte[] PACKAGE = "package".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROVIDES = "provides".getBytes(StandardCharsets.US_ASCII);
    private final InputStream in;
    private final OutputStream out;
    private final Scan scan;
    private byte[] buf = new byte[1 << 18];
    private long bufStart; // stream offset of buf[0]
    private long stanzaStart = -1;
    private long stanzaEnd;
    private String name;
    private final StringBuilder provides = new StringBuilder();
    private boolean inProvides;

    Scanner(InputStream in, OutputStream out, Scan scan) {
      this.in = in;
      this.out = out;
      this.scan = scan;
    }

    void run() throws IOException {
      int filled = 0;
      int lineStart = 0;
      while (true) {
        if (lineStart > 0) { // keep the partial line at the start of the buffer
          System.arraycopy(buf, lineStart, buf, 0, filled - lineStart);
          bufStart += lineStart;
          filled -= lineStart;
          lineStart = 0;
        }
        if (filled == buf.length) {
          if (buf.length >= MAX_STANZA) throw new IllegalArgumentException("a line longer than " + MAX_STANZA + " bytes");
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int n = in.read(buf, filled, buf.length - filled);
        if (n < 0) break;
        out.write(buf, filled, n);
        int scanFrom = filled;
        filled += n;
        for (int i = scanFrom; i < filled; i++) {
          if (buf[i] != '\n') continue;
          line(lineStart, i);
          lineStart = i + 1;
        }
      }
      if (lineStart < filled) line(lineStart, filled);
      endStanza();
    }

    private void line(int from, int to) {
      int end = to > from && buf[to - 1] == '\r' ? to - 1 : to;
      boolean blank = true;
      for (int i = from; i < end; i++) {
        if (buf[i] != ' ' && buf[i] != '\t') {
          blank = false;
          break;
        }
      }
      if (blank) {
        endStanza();
        return;
      }
      long offset = bufStart + from;
      if (stanzaStart < 0) stanzaStart = offset;
      stanzaEnd = bufStart + to + 1;
      if (stanzaEnd - stanzaStart > MAX_STANZA) throw new IllegalArgumentException("a stanza longer than " + MAX_STANZA + " bytes");
      byte first = buf[from];
      if (first == ' ' || first == '\t') {
        if (inProvides) provides.append(' ').append(new String(buf, from, end - from, StandardCharsets.UTF_8));
        return;
      }
      inProvides = false;
      if (first == '#' && name == null && stanzaStart == offset) { // a comment before a stanza
        stanzaStart = -1;
        return;
      }
      if (field(from, end, PACKAGE)) {
        if (name != null) throw new IllegalArgumentException("a stanza with two Package fields (" + name + ")");
        name = value(from + PACKAGE.length + 1, end);
        if (name.isEmpty()) throw new IllegalArgumentException("an empty Package field");
      } else if (field(from, end, PROVIDES)) {
        inProvides = true;
        provides.append(value(from + PROVIDES.length + 1, end));
      }
    }

    private boolean field(int from, int end, byte[] lowerName) {
      if (end - from <= lowerName.length || buf[from + lowerName.length] != ':') return false;
      for (int i = 0; i < lowerName.length; i++) {
        if ((buf[from + i] | 0x20) != lowerName[i]) return false;
      }
      return true;
    }

    private String value(int from, int end) {
      while (from < end && (buf[from] == ' ' || buf[from] == '\t')) from++;
      while (end > from && (buf[end - 1] == ' ' || buf[end - 1] == '\t')) end--;
      return new String(buf, from, end - from, StandardCharsets.UTF_8);
    }

    private void endStanza() {
      if (stanzaStart < 0) return;
      if (name == null) throw new IllegalArgumentException("a stanza at byte " + stanzaStart + " without a Package field");
      if (provides.length() > 0) {
        for (String n : providedNames(provides)) scan.provides(n);
        provides.setLength(0);
      }
      scan.stanza(stanzaStart, (int) (stanzaEnd - stanzaStart), name);
      stanzaStart = -1;
      name = null;
      inProvides = false;
    }

    /** The names in a Provides field ({@code a, b (= 1.0), c:any}); their syntax is checked when the stanza is parsed. */
    private static List<String> providedNames(CharSequence field) {
      List<String> names = new ArrayList<>(2);
      int n = field.length();
      int i = 0;
      while (i < n) {
        while (i < n && (field.charAt(i) == ',' || field.charAt(i) == '|' || Character.isWhitespace(field.charAt(i)))) i++;
        int start = i;
        while (i < n && Relation.nameChar(field.charAt(i))) i++;
        if (i > start) names.add(field.subSequence(start, i).toString());
        while (i < n && field.charAt(i) != ',') i++; // the rest of this entry: qualifier, version
      }
      return names;
    }
  }
}

package dev.airgap.exporter.source.pypi;

import dev.airgap.core.error.UsageException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One environment a closure is resolved for: a CPython version and one platform tag. It knows the
 * wheel tags an installer there accepts, in its order of preference (as {@code packaging.tags}
 * derives them: {@code cp311-cp311-P}, {@code cp311-abi3-P}, older {@code abi3}, {@code py3*-none-P},
 * then pure wheels), and the PEP 508 marker values.
 */
public final class TargetEnvironment {
  private static final Pattern PYTHON = Pattern.compile("3\\.(\\d{1,2})(\\.\\d{1,3})?");
  private static final Pattern MANYLINUX = Pattern.compile("manylinux_(\\d+)_(\\d+)_([a-z0-9_]+)");
  private static final Pattern MUSLLINUX = Pattern.compile("musllinux_(\\d+)_(\\d+)_([a-z0-9_]+)");
  private static final Pattern MACOSX = Pattern.compile("macosx_(\\d+)_(\\d+)_([a-z0-9_]+)");
  private static final Map<String, String> LEGACY_MANYLINUX = Map.of("manylinux1", "2_5", "manylinux2010", "2_12", "manylinux2014", "2_17");
  private static final Pattern PLATFORM = Pattern.compile("any|[a-z0-9_]{1,64}");

  private final String python;
  private final String fullVersion;
  private final int minor;
  private final String platform;
  private final Map<String, Integer> tagRank;
  private final Map<String, String> markers;

  private TargetEnvironment(String python, String platform) {
    Matcher m = PYTHON.matcher(python);
    if (!m.matches()) throw new UsageException("python '" + python + "' must be a CPython 3 version such as 3.11 or 3.11.4");
    if (!PLATFORM.matcher(platform).matches()) throw new UsageException("platform '" + platform + "' is not a platform tag (e.g. manylinux_2_28_x86_64, win_amd64, macosx_11_0_arm64, any)");
    this.minor = Integer.parseInt(m.group(1));
    this.python = "3." + minor;
    this.fullVersion = m.group(2) == null ? this.python + ".0" : python;
    this.platform = platform;
    this.tagRank = rankTags(minor, expandPlatform(platform));
    this.markers = markerValues(platform);
  }

  public static TargetEnvironment of(String python, String platform) {
    return new TargetEnvironment(python.strip(), platform.strip());
  }

  /** e.g. {@code cp311-manylinux_2_28_x86_64}. */
  public String label() {
    return "cp3" + minor + "-" + platform;
  }

  public String python() {
    return python;
  }

  public String platform() {
    return platform;
  }

  public Version pythonVersion() {
    return Version.parse(fullVersion);
  }

  public Map<String, String> markers() {
    return markers;
  }

  /** Preference of a wheel (lower is better), or -1 when no tag of it is supported here. */
  public int wheelRank(DistFilename f) {
    int best = -1;
    for (String t : f.tags()) {
      Integer r = tagRank.get(t);
      if (r != null && (best < 0 || r < best)) best = r;
    }
    return best;
  }

  /** Platforms an installer on {@code platform} accepts, most specific first. */
  static List<String> expandPlatform(String platform) {
    if (platform.equals("any")) return List.of();
    String p = platform;
    for (Map.Entry<String, String> legacy : LEGACY_MANYLINUX.entrySet()) {
      if (p.startsWith(legacy.getKey() + "_")) p = "manylinux_" + legacy.getValue() + p.substring(legacy.getKey().length());
    }
    List<String> out = new ArrayList<>();
    Matcher m = MANYLINUX.matcher(p);
    if (m.matches()) {
      int major = Integer.parseInt(m.group(1));
      int glibcMinor = Integer.parseInt(m.group(2));
      String arch = m.group(3);
      int floor = arch.equals("x86_64") || arch.equals("i686") ? 5 : 17;
      for (int v = glibcMinor; v >= floor && major == 2; v--) {
        out.add("manylinux_2_" + v + "_" + arch);
        if (v == 17 && List.of("x86_64", "i686", "aarch64", "ppc64le", "s390x", "armv7l").contains(arch)) out.add("manylinux2014_" + arch);
        if (v == 12 && List.of("x86_64", "i686").contains(arch)) out.add("manylinux2010_" + arch);
        if (v == 5 && List.of("x86_64", "i686").contains(arch)) out.add("manylinux1_" + arch);
      }
      if (out.isEmpty()) out.add(p);
      return out;
    }
    m = MUSLLINUX.matcher(p);
    if (m.matches()) {
      for (int v = Integer.parseInt(m.group(2)); v >= 0; v--) out.add("musllinux_" + m.group(1) + "_" + v + "_" + m.group(3));
      return out;
    }
    m = MACOSX.matcher(p);
    if (m.matches()) {
      int major = Integer.parseInt(m.group(1));
      int mminor = Integer.parseInt(m.group(2));
      String arch = m.group(3);
      List<String> formats = new ArrayList<>(List.of(arch));
      if (arch.equals("x86_64") || arch.equals("arm64")) formats.add("universal2");
      if (arch.equals("x86_64")) formats.addAll(List.of("intel", "fat64", "fat32", "universal"));
      List<int[]> versions = new ArrayList<>();
      if (major >= 11) {
        for (int v = major; v >= 11; v--) versions.add(new int[] {v, v == major ? mminor : 0});
        if (!arch.equals("arm64")) for (int v = 16; v >= 4; v--) versions.add(new int[] {10, v});
      } else if (major == 10) {
        for (int v = mminor; v >= 4; v--) versions.add(new int[] {10, v});
      }
      for (int[] v : versions) for (String f : formats) out.add("macosx_" + v[0] + "_" + v[1] + "_" + f);
      return out;
    }
    return List.of(p);
  }

  private static Map<String, Integer> rankTags(int minor, List<String> platforms) {
    LinkedHashSet<String> tags = new LinkedHashSet<>();
    String cp = "cp3" + minor;
    for (String p : platforms) tags.add(cp + "-" + cp + "-" + p);
    for (String p : platforms) tags.add(cp + "-abi3-" + p);
    for (String p : platforms) tags.add(cp + "-none-" + p);
    for (int m = minor - 1; m >= 2; m--) for (String p : platforms) tags.add("cp3" + m + "-abi3-" + p);
    List<String> pys = new ArrayList<>(List.of("py3" + minor, "py3"));
    for (int m = minor - 1; m >= 0; m--) pys.add("py3" + m);
    for (String py : pys) for (String p : platforms) tags.add(py + "-none-" + p);
    tags.add(cp + "-none-any");
    for (String py : pys) tags.add(py + "-none-any");
    Map<String, Integer> rank = new HashMap<>();
    int i = 0;
    for (String t : tags) rank.put(t, i++);
    return Collections.unmodifiableMap(rank);
  }

  /** Marker values; a pure {@code any} target is evaluated as Linux x86_64. */
  private Map<String, String> markerValues(String platform) {
    Map<String, String> env = new HashMap<>();
    env.put("python_version", python);
    env.put("python_full_version", fullVersion);
    env.put("implementation_name", "cpython");
    env.put("implementation_version", fullVersion);
    env.put("platform_python_implementation", "CPython");
    env.put("platform_release", "");
    env.put("platform_version", "");
    String os = "posix";
    String sys = "linux";
    String system = "Linux";
    String machine = "x86_64";
    if (platform.startsWith("win")) {
      os = "nt";
      sys = "win32";
      system = "Windows";
      machine = platform.equals("win32") ? "x86" : platform.equals("win_arm64") ? "ARM64" : "AMD64";
    } else if (platform.startsWith("macosx")) {
      sys = "darwin";
      system = "Darwin";
      machine = platform.endsWith("arm64") ? "arm64" : "x86_64";
    } else if (!platform.equals("any")) {
      Matcher m = Pattern.compile("(?:manylinux_\\d+_\\d+|musllinux_\\d+_\\d+|manylinux1|manylinux2010|manylinux2014|linux)_(.+)").matcher(platform);
      if (m.matches()) machine = m.group(1);
    }
    env.put("os_name", os);
    env.put("sys_platform", sys);
    env.put("platform_system", system);
    env.put("platform_machine", machine);
    return Collections.unmodifiableMap(env);
  }

  @Override
  public String toString() {
    return "python " + python + " on " + platform;
  }
}

#!/usr/bin/env bash
# Maven slice benchmark (issue 13): `airgap export` of a realistic project's build needs (a dozen
# real dependencies, compiler/surefire/jar/shade/resources/install/clean plugins) versus
# `mvn dependency:go-offline` with a fresh local repository, against the same upstream, in the same
# run, alternating which goes first. Upstreams:
#   loopback  nginx on 127.0.0.1 serving a copy of this machine's ~/.m2/repository laid out as a
#             remote repository (.sha1, .sha256 and .md5 beside every file, as the real upstream here serves).
#             No added latency: this machine's kernel has no netem; the real upstream is the
#             latency-bound case.
#   real      the machine's real central repository (URL read at run time from a <mirror> in
#             ~/.m2/settings.xml, else from the super POM in the installed Maven's
#             maven-model-builder jar); skipped when unreachable or with --no-real. It sits behind a
#             CDN, so it is warm (cached) for everything after the first request.
# Every round uses fresh local repositories for both tools (airgap: its private work directory; mvn:
# -Dmaven.repo.local=<new dir>). For the loopback upstream the nginx access log gives requests and
# TCP connections per command (connection reuse).
#
#   bench/maven.sh [--runs R] [--no-loopback] [--no-real] [--work DIR] [--airgap DIR] [--upstream DIR]
#
# --upstream DIR: the maven2 tree of an earlier run's work dir (<work>/upstream/maven2), reused
# (hard-linked) instead of preparing the copy of ~/.m2/repository again.
# --airgap DIR: another checkout's build output to compare in the same run (e.g. a build of the
# commit before a change); measured as "airgap-b".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
runs=3; loopback=1; real=1; work=""; other=""; upstream=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift ;;
    --no-loopback) loopback=0 ;;
    --no-real) real=0 ;;
    --work) work="$2"; shift ;;
    --airgap) other="$2"; shift ;;
    --upstream) upstream="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
jar="$repo/cli/target/airgap-cli.jar"; lib="$repo/cli/target/lib"
[[ -f "$jar" && -d "$lib" ]] || { echo "build first: mvn -q -DskipTests package" >&2; exit 2; }
command -v mvn >/dev/null || { echo "needs mvn" >&2; exit 2; }
work="${work:-$here/out/maven-$(date +%Y%m%d-%H%M%S)}"
[[ -e "$work" ]] && { echo "$work exists" >&2; exit 2; }
mkdir -p "$work"; work="$(cd "$work" && pwd)"
# The airgap build(s) run through a copy of the ./airgap launcher, safe from a concurrent rebuild.
copy_airgap() {
  mkdir -p "$2/cli/target"; cp -r "$1/cli/target/airgap-cli.jar" "$1/cli/target/lib" "$2/cli/target/"; cp "$repo/airgap" "$2/airgap"
}
copy_airgap "$repo" "$work/airgap"
tools=(airgap)
if [[ -n "$other" ]]; then copy_airgap "$(cd "$other" && pwd)" "$work/airgap-b"; tools+=(airgap-b); fi
tools+=(mvn)
git -C "$repo" log -1 --format='commit %H %s' > "$work/meta.txt"
[[ -n "$other" ]] && { git -C "$other" log -1 --format="airgap-b: commit %H %s" 2>/dev/null || echo "airgap-b: build in $other"; } >> "$work/meta.txt"
now() { date +%s.%N; }
stats() { python3 -c 'import sys,statistics as s; v=sorted(float(x) for x in sys.argv[1:]); print(f"min {v[0]:6.2f} s  median {s.median(v):6.2f} s  max {v[-1]:6.2f} s")' "$@"; }
median() { python3 -c 'import sys,statistics as s; print(s.median(float(x) for x in sys.argv[1:]))' "$@"; }

# --- the project: a dozen real dependencies (ones this machine's ~/.m2 has, with their trees),
# pinned plugins (both tools then ask for the same versions) including shade.
mkdir -p "$work/project/src/main/java/bench"
echo 'package bench; public class App { public static void main(String[] a) {} }' > "$work/project/src/main/java/bench/App.java"
dep() { echo "    <dependency><groupId>$1</groupId><artifactId>$2</artifactId><version>$3</version>${4:+<scope>$4</scope>}</dependency>"; }
plugin() { echo "      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-$1-plugin</artifactId><version>$2</version></plugin>"; }
cat > "$work/project/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId><artifactId>bench-app</artifactId><version>1.0</version>
  <properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>com.fasterxml.jackson</groupId><artifactId>jackson-bom</artifactId><version>2.18.2</version><type>pom</type><scope>import</scope></dependency>
    <dependency><groupId>org.junit</groupId><artifactId>junit-bom</artifactId><version>5.11.4</version><type>pom</type><scope>import</scope></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
$(dep com.fasterxml.jackson.core jackson-databind 2.18.2)
$(dep com.fasterxml.jackson.dataformat jackson-dataformat-yaml 2.18.2)
$(dep org.apache.commons commons-compress 1.27.1)
$(dep commons-io commons-io 2.16.1)
$(dep org.tukaani xz 1.10)
$(dep org.bouncycastle bcprov-jdk18on 1.80)
$(dep org.bouncycastle bcpg-jdk18on 1.80)
$(dep info.picocli picocli 4.7.6)
$(dep org.slf4j slf4j-simple 2.0.16)
$(dep org.eclipse.jgit org.eclipse.jgit 7.8.0.202609011348-r)
$(dep org.cyclonedx cyclonedx-core-java 10.2.1)
$(dep io.javalin javalin 7.0.0)
$(dep org.junit.jupiter junit-jupiter "" test)
  </dependencies>
  <build>
    <pluginManagement><plugins>
$(plugin clean 3.4.0)
$(plugin resources 3.3.1)
$(plugin compiler 3.13.0)
$(plugin surefire 3.5.2)
$(plugin jar 3.4.2)
$(plugin install 3.1.3)
$(plugin deploy 3.1.3)
$(plugin dependency 3.8.1)
    </plugins></pluginManagement>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-shade-plugin</artifactId><version>3.6.0</version>
        <executions><execution><phase>package</phase><goals><goal>shade</goal></goals></execution></executions></plugin>
    </plugins>
  </build>
</project>
EOF
sed -i 's|<version></version>||' "$work/project/pom.xml"

"$work/airgap/airgap" keys generate --out "$work/keys" --name bench >/dev/null

# One measurement: tool, upstream label, upstream URL, round. Appends "label tool seconds" to raw.tsv.
measure() {
  local tool=$1 label=$2 url=$3 r=$4 out="$work/runs/$2-$1-$4" t0 t1 rc=0
  mkdir -p "$out"
  sync
  if [[ $tool == mvn ]]; then
    cat > "$out/settings.xml" <<EOF
<settings><mirrors><mirror><id>central</id><mirrorOf>*</mirrorOf><url>$url</url></mirror></mirrors></settings>
EOF
    t0=$(now)
    (cd "$work/project" && mvn -B -q -s "$out/settings.xml" -Dmaven.repo.local="$out/m2" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:go-offline > "$out/log" 2>&1) || rc=$?
    t1=$(now)
    local n; n=$(find "$out/m2" -type f \( -name '*.jar' -o -name '*.pom' \) | wc -l)
    echo "   $label round $r mvn go-offline: $(python3 -c "print(f'{$t1-$t0:.2f}')") s, $n jar/pom files"
  else
    cat > "$out/spec.yaml" <<EOF
artifacts:
  - type: maven
    repositories:
      - id: central
        url: $url
    project: $work/project/pom.xml
    plugins:                          # go-offline resolves the site lifecycle's plugin too (Maven 3.8's default)
      - org.apache.maven.plugins:maven-site-plugin:3.3
EOF
    t0=$(now)
    AIRGAP_TRACE=1 "$work/$tool/airgap" export --key "$work/keys/bench.key" --spec "$out/spec.yaml" --out "$out/bundle" > "$out/log" 2>&1 || rc=$?
    t1=$(now)
    # the exported repository paths, compared between airgap builds at the end
    "$work/$tool/airgap" inspect "$out/bundle" --json 2>/dev/null | python3 -c 'import json,sys; [print(f["path"]) for a in json.load(sys.stdin)["manifest"]["artifacts"] for f in a["files"]]' | sort > "$out/files.txt" || true
    local n; n=$(wc -l < "$out/files.txt")
    echo "   $label round $r $tool export: $(python3 -c "print(f'{$t1-$t0:.2f}')") s, $n files"
    rm -f "$out/bundle"
  fi
  if [[ $rc -ne 0 ]]; then echo "   FAILED (exit $rc), see $out/log" >&2; tail -5 "$out/log" >&2; exit 1; fi
  echo -e "$label\t$tool\t$(python3 -c "print($t1-$t0)")" >> "$work/raw.tsv"
  rm -rf "$out/m2"
}

# Requests and connections per command from the nginx access log (lines added since $1).
conns() {
  local log=$1 from=$2
  tail -n +"$((from + 1))" "$log" | awk '{c[$1]=1; n++; s[$2]++} END {printf "%d requests (", n; sep=""; for (k in s) {printf "%s%s %d", sep, k, s[k]; sep=", "}; printf ") on %d connections\n", length(c)}'
}

round_robin() {
  local label=$1 url=$2 log=${3:-} r i t
  for r in $(seq 1 "$runs"); do
    # alternate the order: the second command of a round finds a warmer page cache upstream
    local order=("${tools[@]}"); (( r % 2 == 0 )) && order=($(printf '%s\n' "${tools[@]}" | tac))
    for t in "${order[@]}"; do
      local before=0; [[ -n "$log" ]] && before=$(wc -l < "$log")
      measure "$t" "$label" "$url" "$r"
      if [[ -n "$log" ]]; then echo "      $(conns "$log" "$before")"; fi
    done
  done
}

# The real upstream: a <mirror> of central in ~/.m2/settings.xml, else the super POM's repository.
url=""
if true; then
  if [[ -f ~/.m2/settings.xml ]]; then
    url=$(python3 - <<'EOF'
import os, xml.etree.ElementTree as ET
t = ET.parse(os.path.expanduser("~/.m2/settings.xml")); ns = {"s": t.getroot().tag.split("}")[0].strip("{")} if "}" in t.getroot().tag else {}
for m in t.getroot().iter(("{%s}" % ns["s"] if ns else "") + "mirror"):
    of = m.find(("{%s}" % ns["s"] if ns else "") + "mirrorOf"); u = m.find(("{%s}" % ns["s"] if ns else "") + "url")
    if of is not None and u is not None and any(x.strip() in ("*", "central") for x in of.text.split(",")): print(u.text.strip()); break
EOF
)
  fi
  if [[ -z "$url" ]]; then
    mb=$(ls "$(dirname "$(readlink -f "$(command -v mvn)")")"/../lib/maven-model-builder-*.jar 2>/dev/null | head -1)
    [[ -n "$mb" ]] && url=$(unzip -p "$mb" org/apache/maven/model/pom-4.0.0.xml | python3 -c '
import sys, re; m = re.search(r"<repositories>.*?<url>([^<]+)</url>", sys.stdin.read(), re.S); print(m.group(1) if m else "")')
  fi
  [[ -n "$url" ]] && ! curl -sfI -m 10 -o /dev/null "${url%/}/org/apache/maven/plugins/maven-shade-plugin/3.6.0/maven-shade-plugin-3.6.0.pom" && url="" || true
fi

if (( loopback )); then
  echo "== loopback upstream: copy of ~/.m2/repository with .sha1/.sha256/.md5"
  up="$work/upstream/maven2"
  if [[ -n "$upstream" ]]; then mkdir -p "$work/upstream"; cp -al "$(cd "$upstream" && pwd)" "$up"; else
  mkdir -p "$up"
  cp -al ~/.m2/repository/. "$up/" 2>/dev/null || cp -r ~/.m2/repository/. "$up/"
  # What ~/.m2 lacks (e.g. the site plugin 3.3 tree go-offline wants): one untimed go-offline
  # against the real upstream into a seed repository, copied in too.
  if [[ -n "$url" ]]; then
    echo "   seeding from the real upstream (untimed go-offline)"
    echo "<settings><mirrors><mirror><id>central</id><mirrorOf>*</mirrorOf><url>$url</url></mirror></mirrors></settings>" > "$work/seed-settings.xml"
    (cd "$work/project" && mvn -B -q -s "$work/seed-settings.xml" -Dmaven.repo.local="$work/seed" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:go-offline > "$work/seed.log" 2>&1) || { echo "seed go-offline failed: $work/seed.log" >&2; exit 1; }
    cp -rn "$work/seed/." "$up/"
  fi
  find "$up" \( -name '_remote.repositories' -o -name '*.lastUpdated' -o -name 'resolver-status.properties' -o -name '*.sha1' -o -name '*.md5' -o -name '*.sha256' -o -name '*.sha512' \) -delete
  find "$up" -name 'maven-metadata-*.xml' | while read -r m; do mv "$m" "$(dirname "$m")/maven-metadata.xml"; done
  find "$up" -type f \( -name '*.jar' -o -name '*.pom' -o -name 'maven-metadata.xml' \) -print0 | xargs -0 -P 2 -n 200 python3 -c '
import hashlib, sys
for p in sys.argv[1:]:
    data = open(p, "rb").read()
    for alg in ("sha1", "sha256", "md5"):
        open(p + "." + alg, "w").write(hashlib.new(alg, data).hexdigest())'
  # maven-metadata.xml per groupId/artifactId, listing the versions present (version ranges need it)
  python3 - "$up" <<'PY'
import os, sys
root = sys.argv[1]
for d, subdirs, files in os.walk(root):
    versions = [v for v in subdirs if any(f.endswith(".pom") for f in os.listdir(os.path.join(d, v)))]
    if not versions: continue
    rel = os.path.relpath(d, root).split(os.sep)
    body = "".join(f"<version>{v}</version>" for v in sorted(versions))
    target = os.path.join(d, "maven-metadata.xml")
    if os.path.exists(target): os.remove(target)  # a hard link into ~/.m2: never write through it
    with open(target, "w") as f:
        f.write(f"<metadata><groupId>{'.'.join(rel[:-1])}</groupId><artifactId>{rel[-1]}</artifactId><versioning><versions>{body}</versions></versioning></metadata>")
    for alg in ("sha1", "sha256", "md5"):
        import hashlib
        open(os.path.join(d, "maven-metadata.xml." + alg), "w").write(hashlib.new(alg, open(os.path.join(d, "maven-metadata.xml"), "rb").read()).hexdigest())
PY
  fi
  echo "   $(find "$up" -name '*.jar' | wc -l) jars, $(find "$up" -name '*.pom' | wc -l) POMs"
  port=$((20000 + RANDOM % 20000)); addr=127.0.0.1
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" <<EOF
daemon off; user root; worker_processes 2; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  log_format bench '\$connection \$status \$request'; access_log $work/nginx/access.log bench;
  keepalive_requests 10000; keepalive_timeout 75s; sendfile on; tcp_nopush on;
  types { application/java-archive jar; application/xml pom xml; text/plain sha1 sha256 md5; }
  server { listen $addr:$port; root $work/upstream; }
}
EOF
  touch "$work/nginx/access.log"
  nginx -c "$work/nginx/nginx.conf" &
  nginx_pid=$!
  cleanup() { kill "$nginx_pid" 2>/dev/null || true; }
  trap cleanup EXIT
  for _ in $(seq 50); do curl -sf -o /dev/null "http://$addr:$port/maven2/org/apache/maven/plugins/maven-shade-plugin/3.6.0/maven-shade-plugin-3.6.0.pom" && break; sleep 0.1; done
  label=loopback
  round_robin "$label" "http://$addr:$port/maven2/" "$work/nginx/access.log"
  cleanup; trap - EXIT
fi

if (( real )); then
  if [[ -n "$url" ]]; then
    echo "== real upstream (from this machine's Maven configuration; CDN-cached)"
    round_robin real "${url%/}/"
  else
    echo "== real upstream: not configured or not reachable, skipped"
  fi
fi

echo "== results ($runs rounds, fresh local repositories every round)" | tee "$work/results.txt"
for label in $(cut -f1 "$work/raw.tsv" | awk '!s[$0]++'); do
  for t in "${tools[@]}"; do
    mapfile -t v < <(awk -F'\t' -v l="$label" -v t="$t" '$1 == l && $2 == t {print $3}' "$work/raw.tsv")
    printf '%-18s %-9s %s\n' "$label" "$t" "$(stats "${v[@]}")" | tee -a "$work/results.txt"
  done
  m=$(median $(awk -F'\t' -v l="$label" '$1 == l && $2 == "mvn" {print $3}' "$work/raw.tsv"))
  for t in "${tools[@]}"; do
    [[ $t == mvn ]] && continue
    a=$(median $(awk -F'\t' -v l="$label" -v t="$t" '$1 == l && $2 == t {print $3}' "$work/raw.tsv"))
    printf '%-18s %-9s median ratio to mvn go-offline: %.2f\n' "$label" "$t" "$(python3 -c "print($a/$m)")" | tee -a "$work/results.txt"
  done
done
if [[ -n "$other" ]]; then
  for f in "$work"/runs/*-airgap-b-*/files.txt; do
    a="${f/-airgap-b-/-airgap-}"
    if cmp -s "$f" "$a"; then echo "same files exported by airgap and airgap-b: $(basename "$(dirname "$a")")"; else echo "DIFFERENT files: diff $a $f"; fi
  done | tee -a "$work/results.txt"
fi
echo "work dir: $work"

#!/usr/bin/env bash
# PyPI benchmark: (1) export of a real dependency closure (bench/pypi-requirements.txt, 61 packages)
# from a loopback index vs `pip download` of the same requirements from the same index and target,
# same run, R rounds each, fresh directories; (2) project-page requests per second under concurrent
# load (wrk) from `airgap serve` vs a static server (nginx, else python) serving the same pages.
# Figures: bench/pypi.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bench/pypi.sh [--runs N] [--work DIR] [--index-root DIR] [--duration SECONDS] [--no-cds] [--baseline DIR]

  --runs N          rounds of each export (default 3)
  --no-cds          run the JVM without a class-data sharing archive (default: like the ./airgap
                    launcher, an archive made by one untimed warm-up export, then used)
  --baseline DIR    another airgap checkout, built (e.g. the previous commit): its export is timed
                    in the same rounds, for a before/after under the same load
  --work DIR        fresh work directory (default bench/out/pypi-<timestamp>); must not exist
  --index-root DIR  directory holding simple/<project>/index.html and the files it links to
                    (default /opt/pypi, the machine's on-disk index); served over loopback HTTP
  --duration S      seconds per wrk measurement (default 10)

needs: python3 with pip, wrk, java 17; the CLI built with `mvn -q -o -DskipTests package`
(cli/target/airgap-cli.jar + cli/target/lib/). nginx is used for the static baseline when installed.
USAGE
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
runs=3; work=""; root=/opt/pypi; duration=10; cds=1; baseline=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift ;;
    --work) work="$2"; shift ;;
    --index-root) root="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --no-cds) cds=0 ;;
    --baseline) baseline="$(cd "$2" && pwd)"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
[[ -d "$root/simple" ]] || { echo "no index at $root/simple (give --index-root)" >&2; exit 2; }
jar="$repo/cli/target/airgap-cli.jar"
[[ -f "$jar" ]] || { echo "build first: mvn -q -o -DskipTests package" >&2; exit 2; }
work="${work:-$repo/bench/out/pypi-$(date +%Y%m%d-%H%M%S)}"
[[ -e "$work" ]] && { echo "$work exists" >&2; exit 2; }
mkdir -p "$work"
[[ -z "$baseline" || -f "$baseline/cli/target/airgap-cli.jar" ]] || { echo "build the baseline first: $baseline" >&2; exit 2; }
# as the ./airgap launcher runs it (constant heap; CDS archive when enabled)
run_cli() { local r="$1" jsa="$2"; shift 2
  local o=(-Xmx256m); [[ -f "$jsa" ]] && o+=(-XX:SharedArchiveFile="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
  java "${o[@]}" -cp "$r/cli/target/airgap-cli.jar:$r/cli/target/lib/*" dev.airgap.cli.Main "$@"; }
airgap() { run_cli "$repo" "$work/airgap.jsa" "$@"; }
baseline_airgap() { run_cli "$baseline" "$work/baseline.jsa" "$@"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# the upstream: the index directory over loopback HTTP (threaded python server), the same for both clients
up_port=$(free_port)
# Python's http.server, threaded, but with a listen backlog of 128 instead of its default 5: with 5, a
# client opening several connections at once (airgap uses 8) had SYNs dropped by the kernel
# (TcpExtListenOverflows) and waited the 1 s SYN retransmit; no real index server has so short a queue.
python3 - "$root" "$up_port" >"$work/upstream.log" 2>&1 <<'PY' & pids+=($!)
import functools, http.server, sys
class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
Server(("127.0.0.1", int(sys.argv[2])), handler).serve_forever()
PY
index="http://127.0.0.1:$up_port/simple/"
wait_http "$index"

airgap keys generate --out "$work/keys" --name bench >/dev/null
cat >"$work/spec.yaml" <<YAML
artifacts:
  - type: pypi
    indexes: ["$index"]
    requirementsFile: $here/pypi-requirements.txt
    targets:
      - python: "3.11"
        platforms: [manylinux_2_28_x86_64]
YAML
# pip 23 does not widen --platform to older manylinux levels: list them (what airgap derives itself)
plats=(); for v in $(seq 28 -1 17); do plats+=(--platform "manylinux_2_${v}_x86_64"); done; plats+=(--platform manylinux2014_x86_64)

# class-data sharing: one untimed export per build makes the archive (what the launcher does on its first run)
if [[ $cds == 1 ]]; then
  java -Xmx256m -XX:ArchiveClassesAtExit="$work/airgap.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -cp "$jar:$repo/cli/target/lib/*" \
    dev.airgap.cli.Main export --key "$work/keys/bench.key" --out "$work/warm-up/closure.bundle" --spec "$work/spec.yaml" --sequence 1 >/dev/null
  [[ -n "$baseline" ]] && java -Xmx256m -XX:ArchiveClassesAtExit="$work/baseline.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -cp "$baseline/cli/target/airgap-cli.jar:$baseline/cli/target/lib/*" \
    dev.airgap.cli.Main export --key "$work/keys/bench.key" --out "$work/warm-up/baseline.bundle" --spec "$work/spec.yaml" --sequence 1 >/dev/null
  rm -rf "$work/warm-up"
fi
: >"$work/pip.times"; : >"$work/airgap.times"; : >"$work/baseline.times"; : >"$work/load"
# SYNs the kernel dropped because a listen queue was full (each costs the client a 1 s retransmit)
overflows() { nstat -az TcpExtListenOverflows 2>/dev/null | awk '/ListenOverflows/ {print $2; exit}' || echo 0; }
pip_drops=0; airgap_drops=0
for r in $(seq "$runs"); do
  cut -d' ' -f1 /proc/loadavg >>"$work/load"
  d="$work/pip-$r"; o0=$(overflows); t0=$(now)
  env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null python3 -m pip --isolated --disable-pip-version-check download -q \
    -d "$d" --only-binary=:all: "${plats[@]}" --python-version 3.11 --implementation cp --abi cp311 \
    --index-url "$index" --no-cache-dir -r "$here/pypi-requirements.txt"
  echo "$(now) - $t0" | bc >>"$work/pip.times"; o1=$(overflows)
  b="$work/airgap-$r/closure.bundle"; t0=$(now)
  airgap export --key "$work/keys/bench.key" --out "$b" --spec "$work/spec.yaml" --sequence "$r" >/dev/null
  echo "$(now) - $t0" | bc >>"$work/airgap.times"; o2=$(overflows)
  pip_drops=$((pip_drops + ${o1:-0} - ${o0:-0})); airgap_drops=$((airgap_drops + ${o2:-0} - ${o1:-0}))
  if [[ -n "$baseline" ]]; then
    bb="$work/baseline-$r/closure.bundle"; t0=$(now)
    baseline_airgap export --key "$work/keys/bench.key" --out "$bb" --spec "$work/spec.yaml" --sequence "$r" >/dev/null
    echo "$(now) - $t0" | bc >>"$work/baseline.times"
    rm -rf "$work/baseline-$r"
  fi
  [[ $r -lt $runs ]] && rm -rf "$d"
done
pip_files=$(ls "$work/pip-$runs" | wc -l)
pip_bytes=$(du -sb "$work/pip-$runs" | cut -f1)
packages=$(airgap inspect "$b" --json | python3 -c 'import json,sys; print(sum(a["type"] == "pypi" for a in json.load(sys.stdin)["manifest"]["artifacts"]))')
bundle_bytes=$(stat -c %s "$b")
pip_med=$(median <"$work/pip.times"); ag_med=$(median <"$work/airgap.times")

# serving: the last bundle in a mirror, project pages under wrk vs the same bytes from a static server
mkdir -p "$work/trust"; cp "$work/keys/bench.pub" "$work/trust/"
airgap import "$b" --mirror "$work/mirror" --trust "$work/trust" --no-scan >/dev/null
airgap serve --mirror "$work/mirror" --bind 127.0.0.1 --port 0 >"$work/serve.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q 'http://127.0.0.1:' "$work/serve.log" && break; sleep 0.1; done
mirror=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1)
page=/pypi/simple/numpy/
pip_accept='Accept: application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.1, text/html;q=0.01'
mkdir -p "$work/static$page"
curl -fsS -H 'Accept: text/html' "$mirror$page" -o "$work/static$page/index.html"
static_port=$(free_port)
if command -v nginx >/dev/null; then
  static_kind=nginx
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes auto; daemon off; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  default_type text/html;
  server { listen 127.0.0.1:$static_port; root $work/static; index index.html; } }
NGINX
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" >/dev/null 2>&1 & pids+=($!)
else
  static_kind="python http.server"
  python3 -m http.server --bind 127.0.0.1 --directory "$work/static" "$static_port" >/dev/null 2>&1 & pids+=($!)
fi
wait_http "http://127.0.0.1:$static_port$page"
rps() { wrk -t2 -c32 -d"${duration}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
rps "$mirror$page" >/dev/null 2>&1 || true  # warm-up (JIT)
ag_html=$(rps -H 'Accept: text/html' "$mirror$page")
ag_json=$(rps -H "$pip_accept" "$mirror$page")
st_html=$(rps "http://127.0.0.1:$static_port$page")
page_bytes=$(stat -c %s "$work/static$page/index.html")

{
  echo "PyPI benchmark, $(date -u +%FT%TZ), $(nproc) CPUs, $runs rounds, upstream $index (python http.server over $root, listen backlog 128)"
  echo "closure: $packages packages (airgap), $pip_files files / $pip_bytes bytes (pip download); bundle $bundle_bytes bytes"
  echo "pip download  s: $(paste -sd' ' "$work/pip.times")  median $pip_med"
  echo "airgap export s: $(paste -sd' ' "$work/airgap.times")  median $ag_med"
  echo "ratio airgap/pip (median): $(echo "scale=2; $ag_med / $pip_med" | bc)"
  echo "upstream listen-queue overflows (dropped SYNs) during pip: $pip_drops, during airgap: $airgap_drops"
  if [[ -n "$baseline" ]]; then
    bl_med=$(median <"$work/baseline.times")
    echo "baseline export s: $(paste -sd' ' "$work/baseline.times")  median $bl_med ($baseline)"
    echo "ratio baseline/pip (median): $(echo "scale=2; $bl_med / $pip_med" | bc)"
  fi
  echo "class-data sharing archive: $([[ $cds == 1 ]] && echo yes || echo no); load average at each round: $(paste -sd' ' "$work/load")"
  echo "project page $page ($page_bytes bytes HTML), wrk -t2 -c32 -d${duration}s:"
  echo "  airgap serve HTML  req/s: $ag_html"
  echo "  airgap serve JSON  req/s: $ag_json (pip's Accept header)"
  echo "  $static_kind static HTML req/s: $st_html"
  echo "  ratio airgap HTML / static: $(echo "scale=2; $ag_html / $st_html" | bc)"
} | tee "$work/summary.txt"

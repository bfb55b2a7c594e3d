#!/usr/bin/env bash
# airgap serve throughput: a 1 KiB, a 1 MiB and a 1 GiB file from /files/, served by this build,
# by an older build (built from --old REV in a temporary clone) and by nginx (the same bytes as
# static files), all in the same run on loopback. Checks that the hostile-load limits of this build
# (docs/mirror-http.md, "Limits") cost no throughput. See bench/serve.md for figures.
#
# usage: bench/serve.sh [--old REV] [--runs R] [--seconds S] [--gib N] [--work DIR]
#   --old REV    the build to compare with (default a25012a: the Javalin server before the limits)
#   --runs R     repetitions of every measurement (default 3; BENCH_RUNS)
#   --seconds S  duration of each wrk run (default 10)
#   --gib N      size of the big file in GiB (default 1)
#   --work DIR   fresh work directory (default bench/out/serve-<timestamp>)
# Needs: java, maven (offline, warm ~/.m2), git, nginx, wrk, curl, openssl, python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
old_rev="a25012a"; runs="${BENCH_RUNS:-3}"; seconds=10; gib=1; work=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --old) old_rev="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --gib) gib="$2"; shift ;;
    --work) work="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
work="${work:-$here/out/serve-$(date +%Y%m%d-%H%M%S)}"
[[ -e "$work" ]] && { echo "$work exists" >&2; exit 2; }
mkdir -p "$work"
jar="$repo/cli/target/airgap-cli.jar"; lib="$repo/cli/target/lib"
[[ -f "$jar" && -d "$lib" ]] || { echo "build first: mvn -q -B -o -DskipTests package" >&2; exit 2; }
for tool in wrk nginx curl openssl git mvn; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== old build: $old_rev in a temporary clone"
git clone -q --no-checkout "$repo" "$work/old-src"
git -C "$work/old-src" checkout -q "$old_rev"
(cd "$work/old-src" && nice mvn -q -B -o -DskipTests package >"$work/old-build.log" 2>&1) || { echo "old build failed: $work/old-build.log" >&2; exit 1; }
# copies, so a rebuild of this checkout during the run cannot swap a jar under a running server
mkdir -p "$work/new" "$work/old"
cp -r "$jar" "$lib" "$work/new/"; cp -r "$work/old-src/cli/target/airgap-cli.jar" "$work/old-src/cli/target/lib" "$work/old/"
ag() { java ${AIRGAP_JAVA_OPTS:--Xmx256m} -cp "$work/new/airgap-cli.jar:$work/new/lib/*" dev.airgap.cli.Main "$@"; }

echo "== fixture: 1 KiB, 1 MiB, ${gib} GiB (random), exported and imported once"
data="$work/data"; mkdir -p "$data/files"
head -c 1024 /dev/urandom > "$data/files/small.bin"
head -c $((1 << 20)) /dev/urandom > "$data/files/mib.bin"
python3 - "$data/files/big.bin" "$gib" <<'PY'
import os, sys
left = int(float(sys.argv[2]) * (1 << 30))
with open(sys.argv[1], "wb") as f:
    while left:
        chunk = os.urandom(min(left, 8 << 20))
        f.write(chunk)
        left -= len(chunk)
PY
ag keys generate --out "$work/keys" --name bench >/dev/null
mkdir -p "$work/trust"; cp "$work/keys/bench.pub" "$work/trust/"
ag export --key "$work/keys/bench.key" --out "$work/b.bundle" --channel bench --sequence 1 --files "$data/files" >/dev/null
ag import "$work/b.bundle" --mirror "$work/mirror" --trust "$work/trust" --no-scan >/dev/null
rm -f "$work/b.bundle"

port_free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
new_port=$(port_free); old_port=$(port_free); ngx_port=$(port_free)
java ${AIRGAP_JAVA_OPTS:--Xmx256m} -cp "$work/new/airgap-cli.jar:$work/new/lib/*" dev.airgap.cli.Main serve --mirror "$work/mirror" --port "$new_port" >"$work/new.log" 2>&1 &
pids+=($!)
java ${AIRGAP_JAVA_OPTS:--Xmx256m} -cp "$work/old/airgap-cli.jar:$work/old/lib/*" dev.airgap.cli.Main serve --mirror "$work/mirror" --port "$old_port" >"$work/old.log" 2>&1 &
pids+=($!)
mkdir -p "$work/nginx/logs" "$work/nginx/tmp" "$work/nginx/www/files/bench/files"
for f in small.bin mib.bin big.bin; do ln "$data/files/$f" "$work/nginx/www/files/bench/files/$f" 2>/dev/null || cp "$data/files/$f" "$work/nginx/www/files/bench/files/"; done
cat > "$work/nginx/nginx.conf" <<NGX
daemon off;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $work/nginx/tmp;
  proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp;
  uwsgi_temp_path $work/nginx/tmp;
  scgi_temp_path $work/nginx/tmp;
  server { listen 127.0.0.1:$ngx_port; root $work/nginx/www; }
}
NGX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
declare -A port=([new]=$new_port [old]=$old_port [nginx]=$ngx_port)
for name in new old nginx; do
  ready=0
  for i in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:${port[$name]}/files/bench/files/small.bin" && { ready=1; break; }; sleep 0.2; done
  (( ready )) || { echo "$name does not serve /files/bench/files/small.bin (see $work/$name.log)" >&2; exit 1; }
done

echo "== byte check and warm-up (page cache, JIT)"
for name in new old nginx; do
  for f in small.bin mib.bin big.bin; do
    got=$(curl -sf "http://127.0.0.1:${port[$name]}/files/bench/files/$f" | openssl dgst -sha256 | awk '{print $NF}') || got="(download failed)"
    want=$(openssl dgst -sha256 "$data/files/$f" | awk '{print $NF}')
    [[ "$got" == "$want" ]] || { echo "$name serves different bytes for $f" >&2; exit 1; }
  done
  wrk -t2 -c32 -d3s "http://127.0.0.1:${port[$name]}/files/bench/files/small.bin" >/dev/null
  wrk -t2 -c32 -d3s "http://127.0.0.1:${port[$name]}/files/bench/files/mib.bin" >/dev/null
done

results="$work/results.tsv"; : > "$results"
# wrk --latency output → requests/s and bytes/s
wrk_run() {
  local name=$1 file=$2 conns=$3 out
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --timeout 60s "http://127.0.0.1:${port[$name]}/files/bench/files/$file")
  python3 - "$name" "$file" "$conns" <<PY | tee -a "$results"
import re, sys
out = """$out"""
units = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
m = re.search(r"Transfer/sec:\s+([\d.]+)([KMG]?B)", out)
bps = float(m.group(1)) * units[m.group(2)]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
print(f"{sys.argv[1]}\twrk-c{sys.argv[3]}\t{sys.argv[2]}\t{rps:.1f}\t{bps:.0f}\t{'errors' if errors else 'ok'}")
PY
}
echo "== wrk -t2, ${seconds} s each, $runs rounds, servers alternating"
for r in $(seq "$runs"); do
  for name in new old nginx; do
    wrk_run "$name" small.bin 32
    wrk_run "$name" mib.bin 32
    wrk_run "$name" big.bin 4
  done
  echo "== curl, one ${gib} GiB download per server (round $r)"
  for name in new old nginx; do
    bps=$(curl -sf -o /dev/null -w '%{speed_download}' "http://127.0.0.1:${port[$name]}/files/bench/files/big.bin")
    printf '%s\tcurl\tbig.bin\t-\t%s\tok\n' "$name" "$bps" | tee -a "$results"
  done
done

python3 - "$results" <<'PY' | tee "$work/results.txt"
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
def med(name, tool, f, col):
    v = [float(r[col]) for r in rows if r[0] == name and r[1] == tool and r[2] == f and r[col] != "-"]
    return (min(v), statistics.median(v), max(v)) if v else None
print(f"{'file':9} {'client':9} {'metric':7} {'new (min/med/max)':>26} {'old':>26} {'nginx':>26} {'new/old':>8} {'new/nginx':>9}")
for f, tool, col, metric, scale in (("small.bin", "wrk-c32", 3, "req/s", 1), ("mib.bin", "wrk-c32", 4, "GB/s", 1e9),
                                     ("big.bin", "wrk-c4", 4, "GB/s", 1e9), ("big.bin", "curl", 4, "GB/s", 1e9)):
    s = {n: med(n, tool, f, col) for n in ("new", "old", "nginx")}
    if not all(s.values()):
        continue
    cell = lambda t: f"{t[0]/scale:8.2f}/{t[1]/scale:8.2f}/{t[2]/scale:8.2f}"
    print(f"{f:9} {tool:9} {metric:7} {cell(s['new']):>26} {cell(s['old']):>26} {cell(s['nginx']):>26} "
          f"{s['new'][1]/s['old'][1]:8.2f} {s['new'][1]/s['nginx'][1]:9.2f}")
if any(r[5] != "ok" for r in rows):
    print("some wrk runs reported errors or non-2xx responses: see results.tsv")
PY
rm -f "$data/files/big.bin" "$work/nginx/www/files/bench/files/big.bin"
echo "work dir: $work"

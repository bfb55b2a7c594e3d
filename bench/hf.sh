#!/usr/bin/env bash
# Hugging Face slice benchmark: one multi-GiB safetensors file downloaded through airgap serve's
# /hf resolve URL versus the same bytes served by nginx as a static file, in the same run, on
# loopback. See bench/hf.md for the figures and how to read them.
#
# usage: bench/hf.sh [--gib N] [--runs R] [--work DIR]
#   --gib N    size of model.safetensors in GiB (default 2; BENCH_HF_GIB)
#   --runs R   downloads per server (default 5; BENCH_RUNS)
#   --work DIR fresh work directory (default bench/out/hf-<timestamp>)
# BENCH_HF_CLIENT_RUNS: downloads by huggingface_hub (default 2; it writes 2 GiB to disk each time)
# Needs: java, the built CLI (cli/target/airgap-cli.jar + lib/: `mvn -q -pl cli -am package -DskipTests`),
# nginx, curl, python3. Optional: the Python client venv of the tests (testdata/hf/py/.venv) for the
# huggingface_hub figure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
gib="${BENCH_HF_GIB:-2}"; runs="${BENCH_RUNS:-5}"; work=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --gib) gib="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --work) work="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
work="${work:-$here/out/hf-$(date +%Y%m%d-%H%M%S)}"
[[ -e "$work" ]] && { echo "$work exists" >&2; exit 2; }
mkdir -p "$work"
jar="$repo/cli/target/airgap-cli.jar"; lib="$repo/cli/target/lib"
[[ -f "$jar" && -d "$lib" ]] || { echo "build first: mvn -q -pl cli -am package -DskipTests" >&2; exit 2; }
ag() { java ${AIRGAP_JAVA_OPTS:--Xmx256m} -cp "$jar:$lib/*" dev.airgap.cli.Main "$@"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== fixture: ${gib} GiB model.safetensors (random, written once)"
snap="$work/snapshot"; mkdir -p "$snap"
python3 - "$snap/model.safetensors" "$gib" <<'PY'
import json, os, struct, sys
path, gib = sys.argv[1], float(sys.argv[2])
n = int(gib * (1 << 30)) // 4
header = json.dumps({"weight": {"dtype": "F32", "shape": [n], "data_offsets": [0, 4 * n]}}).encode()
header += b" " * (-len(header) % 8)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header)
    left = 4 * n
    while left:
        chunk = os.urandom(min(left, 8 << 20))
        f.write(chunk)
        left -= len(chunk)
PY
printf '{"hidden_size": 64}\n' > "$snap/config.json"
size=$(stat -c %s "$snap/model.safetensors")

echo "== export + import into a mirror"
ag keys generate --out "$work/keys" --name bench >/dev/null
mkdir -p "$work/trust"; cp "$work/keys/bench.pub" "$work/trust/"
printf 'artifacts:\n  - {type: huggingface, path: %s, repo: bench-org/big-model}\n' "$snap" > "$work/spec.yaml"
ag export --key "$work/keys/bench.key" --out "$work/big.bundle" --spec "$work/spec.yaml"
ag import "$work/big.bundle" --mirror "$work/mirror" --trust "$work/trust" --no-scan
rm -f "$work/big.bundle"

port_free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ag_port=$(port_free); ngx_port=$(port_free)
java ${AIRGAP_JAVA_OPTS:--Xmx256m} -cp "$jar:$lib/*" dev.airgap.cli.Main serve --mirror "$work/mirror" --bind 127.0.0.1 --port "$ag_port" >"$work/serve.log" 2>&1 &
pids+=($!)
mkdir -p "$work/nginx/logs" "$work/nginx/www"
ln "$snap/model.safetensors" "$work/nginx/www/model.safetensors" 2>/dev/null || cp "$snap/model.safetensors" "$work/nginx/www/"
cat > "$work/nginx/nginx.conf" <<NGX
daemon off;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 64; }
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
mkdir -p "$work/nginx/tmp"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
for i in $(seq 50); do
  curl -sf -o /dev/null "http://127.0.0.1:$ag_port/healthz" && curl -sf -o /dev/null -I "http://127.0.0.1:$ngx_port/model.safetensors" && break
  sleep 0.2
done
ag_url="http://127.0.0.1:$ag_port/hf/bench-org/big-model/resolve/main/model.safetensors"
ngx_url="http://127.0.0.1:$ngx_port/model.safetensors"

echo "== warm-up (page cache) and byte check"
for u in "$ag_url" "$ngx_url"; do
  got=$(curl -sf "$u" | openssl dgst -sha256 | awk '{print $NF}')
  want=$(openssl dgst -sha256 "$snap/model.safetensors" | awk '{print $NF}')
  [[ "$got" == "$want" ]] || { echo "content differs at $u" >&2; exit 1; }
done

echo "== curl to /dev/null, $runs runs each, alternating (bytes/s)"
results="$work/results.tsv"; : > "$results"
for r in $(seq "$runs"); do
  for name in airgap nginx; do
    u=$ag_url; [[ $name == nginx ]] && u=$ngx_url
    bps=$(curl -sf -o /dev/null -w '%{speed_download}' "$u")
    printf '%s\tcurl\t%s\n' "$name" "$bps" | tee -a "$results"
  done
done

venv_py="$repo/testdata/hf/py/.venv/bin/python"
if [[ -x "$venv_py" ]] && "$venv_py" -c 'import huggingface_hub' 2>/dev/null; then
  echo "== huggingface_hub hf_hub_download from airgap serve (writes the cache file to disk)"
  for r in $(seq "${BENCH_HF_CLIENT_RUNS:-2}"); do
    rm -rf "$work/hf-cache"
    start=$(date +%s.%N)
    HF_ENDPOINT="http://127.0.0.1:$ag_port/hf" HF_HUB_DISABLE_XET=1 HF_HUB_DISABLE_PROGRESS_BARS=1 HF_HOME="$work/hf-home" \
      "$venv_py" -c 'import sys; from huggingface_hub import hf_hub_download; hf_hub_download("bench-org/big-model", "model.safetensors", cache_dir=sys.argv[1])' "$work/hf-cache"
    end=$(date +%s.%N)
    printf 'airgap\thf_hub_download\t%s\n' "$(python3 -c "print($size/($end-$start))")" | tee -a "$results"
  done
  rm -rf "$work/hf-cache"
fi

python3 - "$results" "$size" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
size = int(sys.argv[2])
def stats(name, tool):
    v = [float(r[2]) for r in rows if r[0] == name and r[1] == tool]
    return v and (min(v), statistics.median(v), max(v))
print(f"\nfile: {size} bytes ({size / (1 << 30):.2f} GiB)")
print(f"{'server':8} {'client':16} {'min GB/s':>9} {'median':>9} {'max':>9}")
for name, tool in (("airgap", "curl"), ("nginx", "curl"), ("airgap", "hf_hub_download")):
    s = stats(name, tool)
    if s: print(f"{name:8} {tool:16} {s[0]/1e9:9.2f} {s[1]/1e9:9.2f} {s[2]/1e9:9.2f}")
a, n = stats("airgap", "curl"), stats("nginx", "curl")
print(f"ratio airgap/nginx (median, curl): {a[1]/n[1]:.2f}  (target >= 0.8)")
PY
rm -f "$snap/model.safetensors" "$work/nginx/www/model.safetensors"

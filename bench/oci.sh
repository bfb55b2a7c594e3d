#!/usr/bin/env bash
# OCI benchmark (docs in bench/oci.md): in one run, on loopback,
#  1. export of a several-hundred-MB image: `airgap export` vs `skopeo copy docker://... oci:...`
#     from the same docker-registry;
#  2. serving a 1 GiB layer blob and a burst of manifest requests: `airgap serve` vs Debian's
#     docker-registry serving the same image (curl single stream, wrk 4 connections; wrk 32
#     connections on the manifest).
# usage: bench/oci.sh [--quick] [--runs N] [--work DIR] [--export-only] [--baseline-build DIR]
#   --baseline-build DIR: also time the export of another build (DIR/airgap-cli.jar + DIR/lib/), as "airgap-base"
#   (needs skopeo, docker-registry, wrk, curl, python3)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export_only=0; base_build=""
runs=3; big_mib=1024; med_layers=3; med_layer_mib=200; secs=10
work="$root/bench/out/oci-$(date -u +%Y%m%dT%H%M%SZ)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) runs=2; big_mib=256; med_layer_mib=50; secs=5; shift ;;
    --runs) runs="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --export-only) export_only=1; shift ;;
    --baseline-build) base_build="$(cd "$2" && pwd)"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -e "$work" ]] && { echo "$work exists" >&2; exit 2; }
mkdir -p "$work"
jar="$root/cli/target/airgap-cli.jar"
[[ -f "$jar" && -d "$root/cli/target/lib" ]] || { echo "build first: mvn -q -o -DskipTests package" >&2; exit 2; }
# A private copy of the build, so a concurrent build cannot swap it mid-run.
mkdir -p "$work/airgap" && cp "$jar" "$work/airgap/" && cp -r "$root/cli/target/lib" "$work/airgap/lib"
airgap_cmd=(java ${AIRGAP_JAVA_OPTS:--Xmx256m} -cp "$work/airgap/airgap-cli.jar:$work/airgap/lib/*" dev.airgap.cli.Main)
airgap() { "${airgap_cmd[@]}" "$@"; }
if [[ -n "$base_build" ]]; then
  mkdir -p "$work/airgap-base" && cp "$base_build/airgap-cli.jar" "$work/airgap-base/" && cp -r "$base_build/lib" "$work/airgap-base/lib"
fi
airgap_base() { java ${AIRGAP_JAVA_OPTS:--Xmx256m} -cp "$work/airgap-base/airgap-cli.jar:$work/airgap-base/lib/*" dev.airgap.cli.Main "$@"; }
now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

[[ $export_only == 1 ]] && echo "== image: med ($med_layers layers of $med_layer_mib MiB)" || echo "== images: big (1 layer of $big_mib MiB), med ($med_layers layers of $med_layer_mib MiB)"
[[ $export_only == 1 ]] && big_mib=0
python3 - "$work/layouts" "$big_mib" "$med_layers" "$med_layer_mib" <<'PY'
import hashlib, json, os, sys
out, big, n, each = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def layout(name, layer_mibs):
    root = os.path.join(out, name); blobs = os.path.join(root, "blobs", "sha256"); os.makedirs(blobs)
    layers = []
    for mib in layer_mibs:
        h = hashlib.sha256(); tmp = os.path.join(blobs, "tmp")
        with open(tmp, "wb") as f:
            for _ in range(mib):
                chunk = os.urandom(1 << 20); h.update(chunk); f.write(chunk)
        os.rename(tmp, os.path.join(blobs, h.hexdigest()))
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + h.hexdigest(), "size": mib << 20})
    def put(data, mt):
        d = hashlib.sha256(data).hexdigest(); open(os.path.join(blobs, d), "wb").write(data)
        return {"mediaType": mt, "digest": "sha256:" + d, "size": len(data)}
    cfg = put(json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}}).encode(), "application/vnd.oci.image.config.v1+json")
    m = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": cfg, "layers": layers}).encode(), "application/vnd.oci.image.manifest.v1+json")
    m["annotations"] = {"org.opencontainers.image.ref.name": "1"}
    open(os.path.join(root, "index.json"), "w").write(json.dumps({"schemaVersion": 2, "manifests": [m]}))
    open(os.path.join(root, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
    print(name, m["digest"], [l["digest"] for l in layers][0])
if big: layout("big", [big])
layout("med", [each] * n)
PY
[[ $export_only == 1 ]] || big_layer=$(python3 -c "import json,sys; m=json.load(open('$work/layouts/big/index.json'))['manifests'][0]['digest'][7:]; print(json.load(open('$work/layouts/big/blobs/sha256/'+m))['layers'][0]['digest'])")

echo "== upstream: docker-registry"
rport=$(free_port)
cat > "$work/registry.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$rport}
YML
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$rport/v2/" >/dev/null && break; sleep 0.1; done
for img in $([[ $export_only == 1 ]] || echo big) med; do
  skopeo --insecure-policy copy -q --dest-tls-verify=false --preserve-digests "oci:$work/layouts/$img:1" "docker://127.0.0.1:$rport/bench/$img:1"
done
rm -rf "$work/layouts"

airgap keys generate --out "$work/keys" --name bench >/dev/null
mkdir -p "$work/trust" && cp "$work/keys/bench.pub" "$work/trust/"
spec() { printf 'artifacts:\n  - type: oci\n    registries: {"127.0.0.1:%s": {url: "http://127.0.0.1:%s"}}\n    images: [127.0.0.1:%s/bench/%s:1]\n' "$rport" "$rport" "$rport" "$1" > "$work/$1.yml"; }
spec med; spec big
results="$work/results.tsv"; : > "$results"

echo "== export of bench/med:1 ($((med_layers * med_layer_mib)) MiB), $runs runs; load: $(uptime | sed 's/.*load average/load average/')"
for r in $(seq "$runs"); do
  d="$work/run$r"; mkdir -p "$d"
  t0=$(now); airgap export --spec "$work/med.yml" --key "$work/keys/bench.key" --out "$d/med.bundle" >/dev/null; t1=$(now)
  printf 'export\tairgap\t%s\n' "$(echo "$t1 - $t0" | bc)" >> "$results"
  if [[ -n "$base_build" ]]; then
    rm -f "$d/med.bundle"
    t0=$(now); airgap_base export --spec "$work/med.yml" --key "$work/keys/bench.key" --out "$d/med.bundle" >/dev/null; t1=$(now)
    printf 'export\tairgap-base\t%s\n' "$(echo "$t1 - $t0" | bc)" >> "$results"
  fi
  t0=$(now); skopeo --insecure-policy copy -q --src-tls-verify=false "docker://127.0.0.1:$rport/bench/med:1" "oci:$d/skopeo:1"; t1=$(now); sync -f "$d/skopeo"; t2=$(now)
  printf 'export\tskopeo\t%s\n' "$(echo "$t1 - $t0" | bc)" >> "$results"
  printf 'export\tskopeo+sync\t%s\n' "$(echo "$t2 - $t0" | bc)" >> "$results"
  rm -rf "$d"
  echo "   run $r done; $(uptime | sed 's/.*load average/load average/')"
done

if [[ $export_only == 0 ]]; then
echo "== serving: bench/big:1 from airgap serve and from docker-registry"
airgap export --spec "$work/big.yml" --key "$work/keys/bench.key" --out "$work/big.bundle" >/dev/null
airgap import "$work/big.bundle" --mirror "$work/mirror" --trust "$work/trust" --no-scan >/dev/null
rm -f "$work/big.bundle"
aport=$(free_port)
"${airgap_cmd[@]}" serve --mirror "$work/mirror" --port "$aport" > "$work/serve.log" 2>&1 & pids+=($!)  # $! is the JVM itself
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$aport/v2/" >/dev/null && break; sleep 0.1; done
accept='Accept: application/vnd.oci.image.manifest.v1+json'
for name in airgap registry; do
  port=$([[ $name == airgap ]] && echo "$aport" || echo "$rport")
  # warm-up: page cache and JIT
  curl -s -o /dev/null "http://127.0.0.1:$port/v2/bench/big/blobs/$big_layer"
  wrk -t2 -c32 -d2s -H "$accept" "http://127.0.0.1:$port/v2/bench/big/manifests/1" >/dev/null
done
for r in $(seq "$runs"); do
  for name in airgap registry; do
    port=$([[ $name == airgap ]] && echo "$aport" || echo "$rport")
    bps=$(curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$port/v2/bench/big/blobs/$big_layer")
    printf 'blob-1conn\t%s\t%s\n' "$name" "$(echo "$bps / 1000000" | bc -l)" >> "$results"
    bytes=$(wrk -t2 -c4 -d"${secs}s" "http://127.0.0.1:$port/v2/bench/big/blobs/$big_layer" | awk '/Transfer\/sec/ {print $2}')
    printf 'blob-4conn\t%s\t%s\n' "$name" "$bytes" >> "$results"
    rps=$(wrk -t2 -c32 -d"${secs}s" -H "$accept" "http://127.0.0.1:$port/v2/bench/big/manifests/1" | awk '/Requests\/sec/ {print $2}')
    printf 'manifest-rps\t%s\t%s\n' "$name" "$rps" >> "$results"
  done
done

fi

python3 - "$results" <<'PY' | tee "$work/results.txt"
import sys, statistics, collections, re
rows = collections.defaultdict(list)
def val(v):
    m = re.match(r"([0-9.]+)([KMG]?B)?", v); x = float(m.group(1))
    return x * {"KB": 1e-3, "MB": 1, "GB": 1e3, None: 1, "B": 1e-6}[m.group(2)] if m.group(2) else x
for line in open(sys.argv[1]):
    k, who, v = line.rstrip("\n").split("\t"); rows[(k, who)].append(val(v))
def show(k, unit):
    for who in sorted({w for (kk, w) in rows if kk == k}):
        v = rows[(k, who)]
        print(f"{k:13} {who:12} median {statistics.median(v):10.2f} {unit}  (min {min(v):.2f}, max {max(v):.2f}, n={len(v)})")
show("export", "s"); show("blob-1conn", "MB/s"); show("blob-4conn", "MB/s"); show("manifest-rps", "req/s")
m = lambda k, w: statistics.median(rows[(k, w)])
print(f"export: airgap/skopeo time ratio {m('export','airgap')/m('export','skopeo'):.2f} (vs skopeo+sync {m('export','airgap')/m('export','skopeo+sync'):.2f}); < 1 is faster")
if ("export", "airgap-base") in rows:
    print(f"export: airgap-base/skopeo time ratio {m('export','airgap-base')/m('export','skopeo'):.2f}; airgap/airgap-base {m('export','airgap')/m('export','airgap-base'):.2f}")
for k in ("blob-1conn", "blob-4conn", "manifest-rps"):
    if (k, "airgap") not in rows: continue
    print(f"{k}: airgap/registry throughput ratio {m(k,'airgap')/m(k,'registry'):.2f}; >= 1 is at least as fast")
PY

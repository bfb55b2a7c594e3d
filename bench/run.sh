#!/usr/bin/env bash
# airgap performance benchmark: export / import / inspect / verify against tar, openssl and clamdscan
# baselines on the same synthetic data, in fresh directories, R runs each. See bench/README.md.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/run.sh [--quick] [--runs N] [--work DIR] [--warm] [--breakdown] [--no-clamd] [--keep]

  --quick       smoke run: 256 MiB of weights + 1000 small files, 2 runs (BENCH_* still override)
  --runs N      repetitions of every measurement (default BENCH_RUNS or 3)
  --work DIR    fresh work directory (default bench/out/<timestamp>); must not exist
  --warm        do not drop the page cache before each measurement (default: cold, if possible)
  --breakdown   also measure export/import of the small files alone and of the weights alone
  --no-clamd    skip the clamd import and the clamdscan baseline
  --keep        keep every output (default: big files are deleted after each round to save disk)

environment:
  BENCH_WEIGHTS_GIB   total size of the synthetic model weights (default 4; may be fractional)
  BENCH_SMALL_FILES   number of small files, 1-8 KiB each, in nested dirs (default 10000)
  BENCH_RUNS          repetitions (default 3)
  AIRGAP_JAVA_OPTS    JVM options for airgap (default -Xmx256m, as the ./airgap launcher)
EOF
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

quick=0; work=""; cache=cold; breakdown=0; use_clamd=1; keep=0; runs_opt=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --runs) runs_opt="$2"; shift ;;
    --work) work="$2"; shift ;;
    --warm) cache=warm ;;
    --breakdown) breakdown=1 ;;
    --no-clamd) use_clamd=0 ;;
    --keep) keep=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [[ $quick == 1 ]]; then
  weights_gib="${BENCH_WEIGHTS_GIB:-0.25}"; small_files="${BENCH_SMALL_FILES:-1000}"; runs="${runs_opt:-${BENCH_RUNS:-2}}"
else
  weights_gib="${BENCH_WEIGHTS_GIB:-4}"; small_files="${BENCH_SMALL_FILES:-10000}"; runs="${runs_opt:-${BENCH_RUNS:-3}}"
fi
java_opts="${AIRGAP_JAVA_OPTS:--Xmx256m}"
weights_mib=$(awk -v g="$weights_gib" 'BEGIN { printf "%d", g * 1024 }')
[[ $weights_mib -ge 1 && $small_files -ge 1 && $runs -ge 1 ]] || { echo "bad sizes: weights ${weights_gib} GiB, ${small_files} files, ${runs} runs" >&2; exit 2; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
W="${work:-$here/out/$stamp}"
[[ -e "$W" ]] && { echo "$W exists; the benchmark needs a fresh directory" >&2; exit 2; }
mkdir -p "$W"/{logs,bin,keys,trust,bundles,tar,xf,mirrors}
W="$(cd "$W" && pwd)"
D="$W/data"
RAW="$W/raw.tsv"; : > "$RAW"
META="$W/meta.txt"; : > "$META"
meta() { printf '%s\t%s\n' "$1" "$2" >> "$META"; }
say() { echo "$*" | tee -a "$W/progress.log"; }

# ---------------------------------------------------------------- tools
for t in java openssl tar python3 find xargs; do command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 2; }; done
gnu_time=""
if /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null; then gnu_time=/usr/bin/time; else
  echo "note: GNU time not found (apt-get install -y time): max RSS will not be reported" >&2
fi
clamd_bin=$(command -v clamd || echo /usr/sbin/clamd)
clamdscan_bin=$(command -v clamdscan || true)
if [[ $use_clamd == 1 && ! -x "$clamd_bin" ]]; then echo "note: clamd not installed; skipping clamd measurements" >&2; use_clamd=0; fi

# Page cache: cold (drop before every measurement) when we may, else warm everywhere.
if [[ $cache == cold ]]; then
  if ! (sync && echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
    echo "note: cannot drop the page cache (not root?); every measurement runs warm" >&2; cache=warm
  fi
fi
prepare() {
  sync
  if [[ $cache == cold ]]; then echo 3 > /proc/sys/vm/drop_caches; fi
}

# ---------------------------------------------------------------- airgap snapshot
# The jar is copied so a concurrent `mvn install` cannot swap it mid-run. The wrapper runs exactly what
# ./airgap runs (java ${AIRGAP_JAVA_OPTS:--Xmx256m} -cp jar:lib/* Main), plus a GC log for the heap report.
if [[ ! -f "$repo/cli/target/airgap-cli.jar" || ! -d "$repo/cli/target/lib" ]]; then
  say "== building airgap"; (cd "$repo" && mvn -q -B -o -DskipTests install || mvn -q -B -DskipTests install)
fi
mkdir -p "$W/airgap"; cp -r "$repo/cli/target/airgap-cli.jar" "$repo/cli/target/lib" "$W/airgap/"
cat > "$W/bin/airgap" <<EOF
#!/usr/bin/env bash
exec java $java_opts \${BENCH_GC_LOG:+-Xlog:gc,gc+heap+exit:file=\$BENCH_GC_LOG} -cp "$W/airgap/airgap-cli.jar:$W/airgap/lib/*" dev.airgap.cli.Main "\$@"
EOF
chmod +x "$W/bin/airgap"
AG="$W/bin/airgap"

# ---------------------------------------------------------------- machine and settings
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta machine "$(nproc) vCPU, $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
meta kernel "$(uname -r)"
meta filesystem "$(findmnt -no FSTYPE,SOURCE -T "$W" 2>/dev/null | head -1) ($(findmnt -no OPTIONS -T "$W" 2>/dev/null | head -1))"
meta java "$(java -version 2>&1 | head -1)"
meta java_opts "$java_opts"
meta max_heap "$(java $java_opts -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2=="MaxHeapSize" {printf "%d MiB", $4/1048576}')"
meta openssl "$(openssl version)"
meta tar "$(tar --version | head -1)"
[[ $use_clamd == 1 ]] && meta clamd "$("$clamd_bin" --version)"
meta airgap "$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?') ($(cd "$repo" && git status --porcelain 2>/dev/null | grep -vc '^??' || true) modified tracked files), jar $(date -u -r "$repo/cli/target/airgap-cli.jar" '+%Y-%m-%d %H:%M UTC')"
meta weights "${weights_gib} GiB"
meta small_files "$small_files"
meta runs "$runs"
meta cache "$cache"
meta work "$W"

# ---------------------------------------------------------------- data
gen_data() {
  local shards shard_mib i left size
  mkdir -p "$D/models/bench-model" "$D/files"
  # Incompressible weights: AES-CTR keystream, shards of at most 1 GiB, at least 2.
  shards=$(( (weights_mib + 1023) / 1024 )); [[ $shards -lt 2 ]] && shards=2
  left=$weights_mib
  for ((i = 1; i <= shards; i++)); do
    shard_mib=$(( left / (shards - i + 1) )); left=$(( left - shard_mib ))
    { openssl enc -aes-128-ctr -K "$(printf '%032x' "$i")" -iv 00000000000000000000000000000000 -in /dev/zero 2>/dev/null || true; } \
      | head -c $(( shard_mib * 1048576 )) > "$D/models/bench-model/$(printf 'model-%05d-of-%05d.safetensors' "$i" "$shards")"
  done
  printf '{"architectures": ["BenchModel"], "shards": %d}\n' "$shards" > "$D/models/bench-model/config.json"
  # Small files: 1-8 KiB, random bytes, ~100 per directory, two levels deep.
  python3 - "$D/files/small" "$small_files" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
for i in range(n):
    d = os.path.join(root, "d%03d" % (i // 1000), "e%02d" % (i // 100 % 10))
    if i % 100 == 0: os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%06d.bin" % i), "wb") as f:
        f.write(rnd.randbytes(rnd.randint(1024, 8192)))
PY
}

need_gib=$(awk -v m="$weights_mib" 'BEGIN { printf "%d", m * 7 / 1024 + 2 }')
free_gib=$(df -P -BG "$W" | awk 'NR==2 {sub("G","",$4); print $4}')
if [[ $free_gib -lt $need_gib ]]; then echo "need about ${need_gib} GiB free in $W, have ${free_gib} GiB" >&2; exit 2; fi

say "== airgap benchmark: ${weights_gib} GiB weights + ${small_files} small files, ${runs} run(s), ${cache} cache, in $W"
say "== generating data"
gen_data
data_bytes=$(find "$D" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
meta data_bytes "$data_bytes"
meta largest_file "$(find "$D" -type f -printf '%s\n' | sort -n | tail -1)"
for set in all small weights; do
  case $set in
    all) b=$data_bytes ;;
    small) b=$(find "$D/files" -type f -printf '%s\n' | awk '{s += $1} END {print s}') ;;
    weights) b=$(find "$D/models" -type f -printf '%s\n' | awk '{s += $1} END {print s}') ;;
  esac
  meta "bytes_$set" "$b"
done
say "   $(awk -v b="$data_bytes" 'BEGIN { printf "%.2f GiB", b / 1073741824 }') in $(find "$D" -type f | wc -l) files"

# ---------------------------------------------------------------- keys, clamd
"$AG" keys generate --out "$W/keys" --name bench > "$W/logs/keys.log" 2>&1
cp "$W/keys/bench.pub" "$W/trust/"

clamd_pid=""
cleanup() { [[ -n "$clamd_pid" ]] && kill "$clamd_pid" 2>/dev/null || true; }
trap cleanup EXIT
if [[ $use_clamd == 1 ]]; then
  mkdir -p "$W/clamd/db" "$W/clamd/tmp"
  # A private database with only the EICAR test signature: clamd starts in a second and the scan cost
  # measured is clamd's per-byte engine cost, not signature-database loading.
  echo "Airgap.Test.EICAR:0:0:58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a" > "$W/clamd/db/airgap-test.ndb"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  largest=$(find "$D" -type f -printf '%s\n' | sort -n | tail -1)
  limit_mib=$(( largest / 1048576 + 1 ))
  [[ $limit_mib -lt 4000 ]] && limit_mib=4000
  cat > "$W/clamd/clamd.conf" <<CONF
Foreground yes
TCPSocket $port
TCPAddr 127.0.0.1
DatabaseDirectory $W/clamd/db
TemporaryDirectory $W/clamd/tmp
LogFile $W/clamd/clamd.log
StreamMaxLength ${limit_mib}M
MaxFileSize ${limit_mib}M
MaxScanSize ${limit_mib}M
CONF
  "$clamd_bin" --config-file="$W/clamd/clamd.conf" > "$W/clamd/stdout.log" 2>&1 & clamd_pid=$!
  ok=0
  for _ in $(seq 150); do
    if python3 - "$port" <<'PY' 2>/dev/null; then ok=1; break; fi
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.sendall(b"zPING\0"); r = s.recv(16)
sys.exit(0 if r.startswith(b"PONG") else 1)
PY
    sleep 0.2
  done
  [[ $ok == 1 ]] || { echo "clamd did not start; see $W/clamd/" >&2; exit 1; }
  meta clamd_limits "StreamMaxLength/MaxFileSize/MaxScanSize ${limit_mib}M"
fi

# ---------------------------------------------------------------- measuring
# measure KEY RUN CMD...: cache prepared, wall time (ns clock), max RSS (GNU time), peak heap (GC log).
measure() {
  local key=$1 run=$2; shift 2
  local base="$W/logs/${key//\//_}.$run" t0 t1 secs rss="" heap=""
  prepare
  t0=$(date +%s%N)
  if [[ -n $gnu_time ]]; then
    BENCH_GC_LOG="$base.gc.log" $gnu_time -f '%M' -o "$base.time" "$@" > "$base.log" 2>&1 || { say "FAILED: $key run $run:"; tail -20 "$base.log"; exit 1; }
  else
    BENCH_GC_LOG="$base.gc.log" "$@" > "$base.log" 2>&1 || { say "FAILED: $key run $run:"; tail -20 "$base.log"; exit 1; }
  fi
  t1=$(date +%s%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  [[ -f "$base.time" ]] && rss=$(tail -1 "$base.time")
  if [[ -f "$base.gc.log" ]]; then
    # Peak used heap: the larger of "used before any GC" and "used at exit"; committed heap (<= -Xmx).
    heap=$(python3 - "$base.gc.log" <<'PY'
import re, sys
peak, cap = 0, 0
for line in open(sys.argv[1]):
    for m in re.finditer(r"(\d+)M->\d+M\((\d+)M\)", line):
        peak, cap = max(peak, int(m.group(1)) * 1024), max(cap, int(m.group(2)) * 1024)
    m = re.search(r"heap\s+total (\d+)K, used (\d+)K", line)
    if m: cap, peak = max(cap, int(m.group(1))), max(peak, int(m.group(2)))
print("%d/%d" % (peak, cap))
PY
)
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$key" "$run" "$secs" "$rss" "$heap" >> "$RAW"
  printf '   %-24s run %d  %8.3f s%s%s\n' "$key" "$run" "$secs" \
    "${rss:+  RSS $((rss / 1024)) MiB}" "${heap:+  heap ${heap%/*}K of ${heap#*/}K}" | tee -a "$W/progress.log"
}

sources_of() { # tar -C paths, relative to $D
  case $1 in all) echo "files models" ;; small) echo files ;; weights) echo models ;; esac
}
export_args() {
  case $1 in
    all) echo "--files $D/files/small --model $D/models/bench-model" ;;
    small) echo "--files $D/files/small" ;;
    weights) echo "--model $D/models/bench-model" ;;
  esac
}

sets=(all); [[ $breakdown == 1 ]] && sets+=(small weights)
say "== measuring (${cache} cache: sync$([[ $cache == cold ]] && echo ' + drop_caches') before every measurement)"
for ((r = 1; r <= runs; r++)); do
  say "-- run $r of $runs"
  for set in "${sets[@]}"; do
    src=$(sources_of "$set")
    tarf="$W/tar/$set.$r.tar"; bundle="$W/bundles/$set.$r.bundle"; xf="$W/xf/$set.$r"
    # Baselines: copy (tar cf + fsync of the tar), hash (openssl over every file), unpack (tar xf + syncfs).
    # shellcheck disable=SC2086
    measure "$set/tar-cf+sync" "$r" bash -c "tar cf '$tarf' -C '$D' $src && sync '$tarf'"
    measure "$set/openssl-sha256" "$r" bash -c "cd '$D' && find $src -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null"
    # shellcheck disable=SC2046
    measure "$set/airgap-export" "$r" "$AG" export --key "$W/keys/bench.key" --out "$bundle" --channel bench --sequence 1 --expires 7d $(export_args "$set")
    measure "$set/tar-xf+sync" "$r" bash -c "mkdir '$xf' && tar xf '$tarf' -C '$xf' && sync -f '$xf'"
    measure "$set/airgap-import" "$r" "$AG" import "$bundle" --mirror "$W/mirrors/$set-noscan.$r" --trust "$W/trust" --no-scan
    if [[ $set == all ]]; then
      if [[ $use_clamd == 1 ]]; then
        if [[ -n $clamdscan_bin ]]; then
          # Scan baseline: the same files streamed to the same clamd (INSTREAM, one file at a time).
          measure "$set/clamdscan" "$r" bash -c "cd '$D' && '$clamdscan_bin' --config-file='$W/clamd/clamd.conf' --stream --no-summary --quiet $src"
        fi
        measure "$set/airgap-import-clamd" "$r" "$AG" import "$bundle" --mirror "$W/mirrors/$set-clamd.$r" --trust "$W/trust" --clamd "127.0.0.1:$port"
      fi
      measure "$set/airgap-inspect" "$r" "$AG" inspect "$bundle" --trust "$W/trust"
      measure "$set/airgap-verify" "$r" "$AG" verify "$bundle" --trust "$W/trust"
    fi
    if [[ $r == 1 ]]; then
      meta "tar_bytes_$set" "$(stat -c %s "$tarf")"; meta "bundle_bytes_$set" "$(stat -c %s "$bundle")"
    fi
    if [[ $keep == 0 ]]; then
      # Only big files are deleted (a few unlinks): deleting thousands of small files would slow the
      # next measurement's file creation (bench hygiene); they stay until bench/out is removed.
      rm -f "$tarf" "$bundle"
      find "$xf" "$W/mirrors" -type f -size +1M -delete
    fi
  done
done
sync

# ---------------------------------------------------------------- report
python3 - "$RAW" "$META" "$W/results.txt" <<'PY'
import statistics, sys
raw, metaf, out = sys.argv[1:4]
meta = {}
for line in open(metaf):
    k, _, v = line.rstrip("\n").partition("\t"); meta[k] = v
rows = {}
order = []
for line in open(raw):
    key, run, secs, rss, heap = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
    if key not in rows: rows[key] = []; order.append(key)
    rows[key].append((float(secs), int(rss) if rss else None, heap))

def med(key): return statistics.median(s for s, _, _ in rows[key]) if key in rows else None
def mib(b): return b / 1048576
L = []
p = L.append
p("airgap benchmark  %s" % meta.get("date", ""))
for k in ["machine", "kernel", "filesystem", "java", "java_opts", "max_heap", "openssl", "tar", "clamd", "clamd_limits", "airgap", "cache", "runs", "work"]:
    if k in meta: p("  %-12s %s" % (k, meta[k]))
p("  %-12s %.2f GiB: %s GiB weights (largest file %.0f MiB) + %s small files (%.1f MiB)" % ("data", int(meta["data_bytes"]) / 2**30,
  meta["weights"].split()[0], int(meta["largest_file"]) / 2**20, meta["small_files"], mib(int(meta["bytes_small"]))))
for s in ["all", "small", "weights"]:
    if "bundle_bytes_" + s in meta:
        p("  %-12s %s: bundle %.1f MiB, tar %.1f MiB" % ("sizes", s, mib(int(meta["bundle_bytes_" + s])), mib(int(meta["tar_bytes_" + s]))))
p("")
p("%-30s %9s %9s %9s %9s %9s %16s" % ("measurement (seconds)", "min", "median", "max", "MB/s", "maxRSS", "peak heap/cap"))
for key in order:
    v = rows[key]; secs = [s for s, _, _ in v]
    rss = [r for _, r, _ in v if r]; heaps = [h for _, _, h in v if h]
    nbytes = int(meta.get("bytes_" + key.split("/")[0], 0))
    rate = "" if "inspect" in key else "%.0f" % (nbytes / 1e6 / statistics.median(secs))
    heap = ""
    if heaps:
        pk = max(int(h.split("/")[0]) for h in heaps); cap = max(int(h.split("/")[1]) for h in heaps)
        heap = "%dM/%dM" % (pk // 1024, cap // 1024)
    p("%-30s %9.3f %9.3f %9.3f %9s %9s %16s" % (key, min(secs), statistics.median(secs), max(secs), rate,
      "%dM" % (max(rss) // 1024) if rss else "", heap))
p("")
p("summary (medians; baseline = the slower of the listed baselines; target airgap <= 1.25 x baseline)")
p("%-24s %9s  %-34s %9s %7s  %s" % ("airgap", "seconds", "baseline", "seconds", "ratio", "target"))
fails = 0
def line(set_, name, akey, bkeys, target=1.25):
    global fails
    a = med(set_ + "/" + akey)
    if a is None: return
    bs = [(k, med(set_ + "/" + k)) for k in bkeys if med(set_ + "/" + k) is not None]
    label = name if set_ == "all" else "%s [%s]" % (name, set_)
    if not bs:
        ok = a < target
        fails += not ok
        p("%-24s %9.3f  %-34s %9s %7s  %s" % (label, a, "(absolute)", "", "", "%s (< %g s)" % ("PASS" if ok else "FAIL", target)))
        return
    bk, b = max(bs, key=lambda x: x[1])
    ratio = a / b; ok = ratio <= target
    fails += not ok
    p("%-24s %9.3f  %-34s %9.3f %6.2fx  %s" % (label, a, bk, b, ratio, "PASS" if ok else "FAIL"))
for s in ["all", "small", "weights"]:
    line(s, "export", "airgap-export", ["tar-cf+sync", "openssl-sha256"])
    line(s, "import --no-scan", "airgap-import", ["tar-xf+sync", "openssl-sha256"])
line("all", "import --clamd", "airgap-import-clamd", ["tar-xf+sync", "openssl-sha256", "clamdscan"])
line("all", "verify", "airgap-verify", ["openssl-sha256"])
line("all", "inspect", "airgap-inspect", [], target=1.0)
heaps = [h for v in rows.values() for _, _, h in v if h]
if heaps:
    cap = max(int(h.split("/")[1]) for h in heaps) // 1024
    pk = max(int(h.split("/")[0]) for h in heaps) // 1024
    p("")
    p("heap cap: %s requested (%s); largest committed heap seen %d MiB, peak used %d MiB -> %s" % (
      meta.get("java_opts", ""), meta.get("max_heap", ""), cap, pk, "holds" if cap <= int(meta.get("max_heap", "0 MiB").split()[0] or 0) else "EXCEEDED"))
p("%d target(s) missed" % fails if fails else "all targets met")
text = "\n".join(L) + "\n"
open(out, "w").write(text)
print(text, end="")
PY
cp "$RAW" "$W/results.tsv" 2>/dev/null || true
say "results: $W/results.txt"

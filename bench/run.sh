#!/usr/bin/env bash
# airgap performance benchmark: export / import / inspect / verify against tar, openssl and clamdscan
# baselines on the same synthetic data, in fresh directories, R runs each. See bench/README.md.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/run.sh [--quick] [--runs N] [--work DIR] [--warm] [--breakdown] [--no-clamd] [--keep] [--airgap DIR]

  --quick       smoke run: 256 MiB of weights + 1000 small files, 2 runs (BENCH_* still override)
  --runs N      repetitions of every measurement (default BENCH_RUNS or 3)
  --work DIR    fresh work directory (default bench/out/<timestamp>); must not exist
  --warm        do not drop the page cache before each measurement (default: cold, if possible)
  --breakdown   also measure export/import of the small files alone and of the weights alone
  --no-clamd    skip the clamd import and the clamdscan baseline
  --keep        keep every output (default: big files are deleted after each round to save disk)
  --airgap DIR  benchmark the build in checkout DIR (DIR/cli/target/airgap-cli.jar + lib/; default: this repo)

environment:
  BENCH_WEIGHTS_GIB   total size of the synthetic model weights (default 4; may be fractional)
  BENCH_SMALL_FILES   number of small files, 1-8 KiB each, in nested dirs (default 10000)
  BENCH_RUNS          repetitions (default 3)
  AIRGAP_JAVA_OPTS    JVM options for airgap (default -Xmx256m, as the ./airgap launcher)
EOF
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

quick=0; work=""; cache=cold; breakdown=0; use_clamd=1; keep=0; runs_opt=""; airgap_home=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --runs) runs_opt="$2"; shift ;;
    --work) work="$2"; shift ;;
    --warm) cache=warm ;;
    --breakdown) breakdown=1 ;;
    --no-clamd) use_clamd=0 ;;
    --keep) keep=1 ;;
    --airgap) airgap_home="$(cd "$2" && pwd)"; shift ;;
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
# Wait (up to 30 s) until the disk is quiet: under 1 MiB written and 1 MiB discarded per 0.25 s, twice in a row
# (ext4 "discard" trims freed extents for a while after big deletions; writeback continues after sync).
blockdev=$(basename "$(findmnt -no SOURCE -T "$W" 2>/dev/null | head -1)" 2>/dev/null || true)
settle() {
  local stat="/sys/class/block/$blockdev/stat" prev cur quiet=0 n=0
  [[ -n $blockdev && -r $stat ]] || return 0
  prev=$(awk '{print $7, $9, $14}' "$stat")
  while (( quiet < 2 && n < 120 )); do
    sleep 0.25; n=$((n + 1))
    cur=$(awk '{print $7, $9, $14}' "$stat")
    if awk -v p="$prev" -v c="$cur" 'BEGIN { split(p, a); split(c, b); exit !(b[1] - a[1] < 2048 && b[3] - a[3] < 2048) }'; then
      quiet=$((quiet + 1)); else quiet=0; fi
    prev=$cur
  done
}
# Before every measurement: flush, wait for the disk, drop the page cache (cold) and start at once.
# (Do not sleep after the drop: on this VM free pages are handed back to the host after ~2 s and
# touching them again costs kernel time, which would penalise whatever runs next.)
prepare() {
  sync
  settle
  if [[ $cache == cold ]]; then echo 3 > /proc/sys/vm/drop_caches; fi
}
cpu_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
clamd_cpu() { [[ -n ${clamd_pid:-} && -r /proc/$clamd_pid/stat ]] && awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$clamd_pid/stat" || echo 0; }
clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)

# ---------------------------------------------------------------- airgap snapshot
# The build (jar + lib/) and the ./airgap launcher are copied, so a concurrent `mvn install` cannot swap
# them mid-run; every airgap command runs through that launcher copy exactly as ./airgap runs it (its
# default -Xmx256m, its class-data-sharing archive, ...), with AIRGAP_JAVA_OPTS plus a GC log for the heap.
src="${airgap_home:-$repo}"
if [[ ! -f "$src/cli/target/airgap-cli.jar" || ! -d "$src/cli/target/lib" ]]; then
  say "== building airgap in $src"; (cd "$src" && { mvn -q -B -o -DskipTests install || mvn -q -B -DskipTests install; })
fi
mkdir -p "$W/airgap/cli/target"
cp -r "$src/cli/target/airgap-cli.jar" "$src/cli/target/lib" "$W/airgap/cli/target/"
# Stale: a module's sources newer than that module's jar in the build output.
stale=""
for main_dir in "$src"/*/src/main; do
  module=$(basename "$(dirname "$(dirname "$main_dir")")")
  if [[ $module == cli ]]; then jar="$src/cli/target/airgap-cli.jar"; else jar=$(ls "$src"/cli/target/lib/airgap-"$module"-*.jar 2>/dev/null | head -1); fi
  [[ -n $jar ]] || continue
  stale=$(find "$main_dir" -type f -newer "$jar" 2>/dev/null | head -1)
  [[ -n $stale ]] && break
done
[[ -n $stale ]] && say "WARNING: the jar is older than the sources (e.g. $stale): rebuild (mvn -q -o install -DskipTests) to measure the current code"
if [[ -f "$src/airgap" ]]; then
  cp "$src/airgap" "$W/airgap/airgap"
else
  printf '#!/usr/bin/env bash\nhere="$(cd "$(dirname "$0")" && pwd)"\nexec java ${AIRGAP_JAVA_OPTS:--Xmx256m} -cp "$here/cli/target/airgap-cli.jar:$here/cli/target/lib/*" dev.airgap.cli.Main "$@"\n' > "$W/airgap/airgap"
fi
chmod +x "$W/airgap/airgap"
cat > "$W/bin/airgap" <<EOF
#!/usr/bin/env bash
AIRGAP_JAVA_OPTS="$java_opts \${BENCH_GC_LOG:+-Xlog:gc,gc+heap+exit:file=\$BENCH_GC_LOG}" exec "$W/airgap/airgap" "\$@"
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
meta airgap "$src: $(cd "$src" && git rev-parse --short HEAD 2>/dev/null || echo '?') ($(cd "$src" && git status --porcelain 2>/dev/null | grep -vc '^??' || true) modified tracked files), jar built $(date -u -r "$src/cli/target/airgap-cli.jar" '+%Y-%m-%d %H:%M UTC')"
[[ -n $stale ]] && meta stale_jar "older than $stale"
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

# Peak disk use: data + one round's tar, bundle, unpacked copy and mirrors (twice the weights again with --breakdown).
need_gib=$(awk -v m="$weights_mib" -v b="$breakdown" 'BEGIN { printf "%d", m * (b ? 10 : 6) / 1024 + 2 }')
free_gib=$(df -P -BG "$W" | awk 'NR==2 {sub("G","",$4); print $4}')
if [[ $free_gib -lt $need_gib ]]; then echo "need about ${need_gib} GiB free in $W, have ${free_gib} GiB" >&2; exit 2; fi

say "== airgap benchmark: ${weights_gib} GiB weights + ${small_files} small files, ${runs} run(s), ${cache} cache, in $W"
say "== generating data"
gen_data
data_bytes=$(find "$D" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}')
meta data_bytes "$data_bytes"
meta largest_file "$(find "$D" -type f -printf '%s\n' | sort -n | tail -1)"
for set in all small weights; do
  case $set in
    all) b=$data_bytes ;;
    small) b=$(find "$D/files" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}') ;;
    weights) b=$(find "$D/models" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}') ;;
  esac
  meta "bytes_$set" "$b"
done
say "   $(awk -v b="$data_bytes" 'BEGIN { printf "%.2f GiB", b / 1073741824 }') in $(find "$D" -type f | wc -l) files"

# ---------------------------------------------------------------- keys, clamd
"$AG" keys generate --out "$W/keys" --name bench > "$W/logs/keys.log" 2>&1
cp "$W/keys/bench.pub" "$W/trust/"
# Untimed warm-up: a launcher that keeps a class-data-sharing archive makes it on its first run after a
# build; make it from an export (the classes every bulk command shares) rather than from `keys`.
rm -f "$W"/airgap/cli/target/*.jsa
"$AG" export --key "$W/keys/bench.key" --out "$W/warmup.bundle" --channel warmup --sequence 1 --expires 7d \
  --files "$D/models/bench-model/config.json" > "$W/logs/warmup.log" 2>&1
rm -f "$W/warmup.bundle"
if compgen -G "$W/airgap/cli/target/*.jsa" > /dev/null; then meta launcher "./airgap with its class-data-sharing archive"; else meta launcher "./airgap (no CDS archive)"; fi

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
  local base="$W/logs/${key//\//_}.$run" t0 t1 b0 b1 c0 c1 clamd_s secs rss="" heap="" cpu="" u s others=""
  prepare
  b0=$(cpu_busy); c0=$(clamd_cpu)
  t0=$(date +%s%N)
  if [[ -n $gnu_time ]]; then
    BENCH_GC_LOG="$base.gc.log" $gnu_time -f '%M %U %S' -o "$base.time" "$@" > "$base.log" 2>&1 || { say "FAILED: $key run $run:"; tail -20 "$base.log"; exit 1; }
  else
    BENCH_GC_LOG="$base.gc.log" "$@" > "$base.log" 2>&1 || { say "FAILED: $key run $run:"; tail -20 "$base.log"; exit 1; }
  fi
  t1=$(date +%s%N)
  b1=$(cpu_busy); c1=$(clamd_cpu)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  # clamd's own CPU counts for the measurements that use it (clamdscan, import --clamd), never as "others".
  clamd_s=$(awk -v a="$c0" -v b="$c1" -v hz="$clk_tck" 'BEGIN { printf "%.2f", (b - a) / hz }')
  if [[ -f "$base.time" ]]; then
    read -r rss u s < <(tail -1 "$base.time")
    cpu=$(awk -v u="$u" -v s="$s" -v c="$clamd_s" -v k="$key" 'BEGIN { printf "%.2f", u + s + (k ~ /clamd/ ? c : 0) }')
  fi
  if [[ -f "$base.gc.log" ]]; then
    # KiB: peak used heap (before a GC or at exit) / largest live heap after a GC / committed heap (<= -Xmx).
    heap=$(python3 - "$base.gc.log" <<'PY'
import re, sys
peak, live, cap = 0, 0, 0
for line in open(sys.argv[1]):
    for m in re.finditer(r"(\d+)M->(\d+)M\((\d+)M\)", line):
        peak, live, cap = max(peak, int(m.group(1)) * 1024), max(live, int(m.group(2)) * 1024), max(cap, int(m.group(3)) * 1024)
    m = re.search(r"heap\s+total (\d+)K, used (\d+)K", line)
    if m: cap, peak = max(cap, int(m.group(1))), max(peak, int(m.group(2)))
print("%d/%d/%d" % (peak, live, cap))
PY
)
  fi
  # CPU seconds used by other processes on the machine meanwhile (noise indicator).
  [[ -n $cpu ]] && others=$(awk -v b0="$b0" -v b1="$b1" -v hz="$clk_tck" -v c="$cpu" -v cd="$clamd_s" -v k="$key" \
    'BEGIN { o = (b1 - b0) / hz - c - (k ~ /clamd/ ? 0 : cd); printf "%.2f", o < 0 ? 0 : o }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$run" "$secs" "$rss" "$heap" "$cpu" "$others" >> "$RAW"
  printf '   %-24s run %d  %8.3f s%s%s%s%s\n' "$key" "$run" "$secs" "${cpu:+  cpu ${cpu} s}" "${others:+ (others ${others} s)}" \
    "${rss:+  RSS $((rss / 1024)) MiB}" "${heap:+  heap peak/live/cap $(awk -F/ '{printf "%d/%d/%d MiB", $1/1024, $2/1024, $3/1024}' <<<"$heap")}" | tee -a "$W/progress.log"
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
  done
  if [[ $keep == 0 ]]; then
    # Free the disk between rounds. Only big files are deleted (a few unlinks; deleting thousands of
    # small files would slow the next file creations, see bench hygiene); prepare() then waits for the
    # discards to finish before the next measurement.
    rm -f "$W"/tar/*.tar "$W"/bundles/*.bundle
    find "$W/xf" "$W/mirrors" -type f -size +1M -delete
  fi
done
if [[ $keep == 0 ]]; then rm -f "$D"/models/bench-model/*.safetensors; fi  # the weights (a few big files)
sync

# ---------------------------------------------------------------- report
python3 "$here/report.py" "$W"
say "results: $W/results.txt"

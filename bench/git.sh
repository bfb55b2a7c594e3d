#!/usr/bin/env bash
# git benchmark, two parts (see bench/git.md):
#  export: a full `airgap export` (the ./airgap launcher, as users run it) of a fixture repository of
#          E commits versus `git bundle create --all` of the same repository, alternating, R runs;
#          also of a real local repository with --local-repo DIR (skipped when absent)
#  clone:  `git clone` of a repository with N commits from `airgap serve` (smart HTTP, JGit
#          upload-pack) versus `git clone` of the same bare repository over `git daemon` (C git's
#          upload-pack), in the same run; and the size of an incremental export for one new commit
#          versus a full export.
# Figures go to stdout and WORK/results.txt.
#
# usage: bench/git.sh [--part export|clone|all] [--export-commits E] [--local-repo DIR]
#                     [--commits N] [--runs R] [--work DIR]
#   needs a build: mvn -q -B -DskipTests package  (cli/target/airgap-cli.jar + cli/target/lib/)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
commits=10000; runs=5; work=""; part=all; export_commits=130; local_repo=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --commits) commits="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --work) work="$2"; shift ;;
    --part) part="$2"; shift ;;
    --export-commits) export_commits="$2"; shift ;;
    --local-repo) local_repo="$2"; shift ;;
    -h|--help) sed -n 2,15p "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
jar="$repo/cli/target/airgap-cli.jar"; lib="$repo/cli/target/lib"
[[ -f "$jar" && -d "$lib" ]] || { echo "build first: (cd $repo && mvn -q -B -DskipTests package)" >&2; exit 2; }
W="${work:-$here/out/git-$(date -u +%Y%m%dT%H%M%SZ)}"
[[ -e "$W" ]] && { echo "$W exists; the benchmark needs a fresh directory" >&2; exit 2; }
mkdir -p "$W"; W="$(cd "$W" && pwd)"
export HOME="$W/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0; mkdir -p "$HOME"
airgap() { java ${AIRGAP_JAVA_OPTS:--Xmx256m} -cp "$jar:$lib/*" dev.airgap.cli.Main "$@"; }
now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

med() { python3 -c 'import statistics,sys; xs=[float(x) for x in sys.argv[1:]]; print("%.3f %.3f %.3f" % (min(xs), statistics.median(xs), max(xs)))' "$@"; }
# export_vs_bundle LABEL GIT_DIR: R alternating runs of a full airgap export and git bundle create
export_vs_bundle() {
  local label="$1" src="$2" d="$W/export-$1" a=() g=() r s e
  mkdir -p "$d"
  printf 'channel: bench\nartifacts:\n  - type: git\n    url: "file://%s"\n    name: bench\n    refs: all\n' "$src" > "$d/spec.yaml"
  # one untimed run each: the launcher makes its class-data archive once per build
  "$repo/airgap" export --spec "$d/spec.yaml" --key "$W/keys/bench.key" --out "$d/warm.bundle" --sequence 1 >/dev/null
  git -C "$src" bundle create -q "$d/warm.gitbundle" --branches --tags
  local ac=() gc=() t
  for r in $(seq "$runs"); do
    # wall and CPU (user + system) seconds: on a shared machine CPU time is the steadier figure
    /usr/bin/time -f "%e %U %S" -o "$d/t" "$repo/airgap" export --spec "$d/spec.yaml" --key "$W/keys/bench.key" --out "$d/a$r.bundle" --sequence 1 >/dev/null
    read -r t u y < "$d/t"; a+=("$t"); ac+=("$(echo "$u + $y" | bc)")
    /usr/bin/time -f "%e %U %S" -o "$d/t" git -C "$src" bundle create -q "$d/g$r.gitbundle" --branches --tags
    read -r t u y < "$d/t"; g+=("$t"); gc+=("$(echo "$u + $y" | bc)")
    printf "  %s run %s: airgap export %.2f s (cpu %.2f s)   git bundle create %.2f s (cpu %.2f s)\n" "$label" "$r" "${a[-1]}" "${ac[-1]}" "${g[-1]}" "${gc[-1]}"
  done
  AIRGAP_TRACE=1 "$repo/airgap" export --spec "$d/spec.yaml" --key "$W/keys/bench.key" --out "$d/trace.bundle" --sequence 1 2> "$d/trace.txt" >/dev/null
  read -r amin amed amax <<< "$(med "${a[@]}")"; read -r gmin gmed gmax <<< "$(med "${g[@]}")"
  local n; n=$(git -C "$src" rev-list --count --branches --tags)
  read -r _ acmed _ <<< "$(med "${ac[@]}")"; read -r _ gcmed _ <<< "$(med "${gc[@]}")"
  printf "export %s (%s commits, load %s): airgap export wall min/median/max %s/%s/%s s, cpu median %s s; git bundle create wall %s/%s/%s s, cpu median %s s; ratio of wall medians %.1f\n" \
    "$label" "$n" "$(cut -d' ' -f1 /proc/loadavg)" "$amin" "$amed" "$amax" "$acmed" "$gmin" "$gmed" "$gmax" "$gcmed" "$(echo "$amed / $gmed" | bc -l)" >> "$W/export-results.txt"
  sed 's/^/  /' "$d/trace.txt" >> "$W/export-results.txt"
}
airgap keys generate --out "$W/keys" --name bench >/dev/null
if [[ "$part" == export || "$part" == all ]]; then
  echo "== export: airgap export (full) vs git bundle create, $runs runs each, alternating"
  : > "$W/export-results.txt"
  bash "$repo/testdata/git/make-repo.sh" --commits "$export_commits" "$W/export-fixture.git"
  export_vs_bundle fixture "$W/export-fixture.git"
  if [[ -n "$local_repo" && -d "$local_repo" ]]; then
    src="$(git -C "$local_repo" rev-parse --absolute-git-dir 2>/dev/null || true)"
    if [[ -n "$src" ]]; then export_vs_bundle local "$src"; else echo "  --local-repo $local_repo: not a git repository, skipped"; fi
  elif [[ -n "$local_repo" ]]; then
    echo "  --local-repo $local_repo: absent, skipped"
  fi
  cat "$W/export-results.txt" | tee -a "$W/results.txt"
  [[ "$part" == export ]] && exit 0
fi

echo "== fixture: bare repository with $commits commits (git fast-import)"
bash "$repo/testdata/git/make-repo.sh" --commits "$commits" "$W/upstream.git"
mkdir -p "$W/trust"; cp "$W/keys/bench.pub" "$W/trust/"
cat > "$W/spec.yaml" <<SPEC
channel: bench
artifacts:
  - type: git
    url: "file://$W/upstream.git"
    name: bench
    refs: all
SPEC

echo "== export (full) and import"
t0=$(now); airgap export --spec "$W/spec.yaml" --key "$W/keys/bench.key" --out "$W/full.bundle" --state "$W/state" --sequence 1 >/dev/null; t1=$(now)
airgap import "$W/full.bundle" --mirror "$W/mirror" --trust "$W/trust" --no-scan >/dev/null; t2=$(now)
export_s=$(echo "$t1 - $t0" | bc); import_s=$(echo "$t2 - $t1" | bc)

served="$W/mirror/current/git"   # the bare repository airgap published (and serves)
aport=$(free_port); dport=$(free_port)
airgap serve --mirror "$W/mirror" --bind 127.0.0.1 --port "$aport" > "$W/serve.log" 2>&1 & pids+=($!)
git daemon --reuseaddr --listen=127.0.0.1 --port="$dport" --export-all --base-path="$served" "$served" > "$W/daemon.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q "serving" "$W/serve.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.5

clone() { # clone URL DEST -> seconds
  local s e; s=$(now); git -c protocol.version=2 clone -q --bare "$1" "$2"; e=$(now); echo "$e - $s" | bc
}
echo "== clones (bare, protocol v2), $runs runs each, alternating; first airgap run includes JVM warm-up"
: > "$W/raw.tsv"
for r in $(seq "$runs"); do
  a=$(clone "http://127.0.0.1:$aport/git/bench.git" "$W/clones/airgap-$r")
  d=$(clone "git://127.0.0.1:$dport/bench.git" "$W/clones/daemon-$r")
  [[ $(git -C "$W/clones/airgap-$r" rev-parse main) == $(git -C "$W/upstream.git" rev-parse main) ]] || { echo "airgap clone differs" >&2; exit 1; }
  [[ $(git -C "$W/clones/airgap-$r" rev-list --count main) == "$commits" ]] || { echo "airgap clone incomplete" >&2; exit 1; }
  printf "%s\t%s\t%s\n" "$r" "$a" "$d" >> "$W/raw.tsv"
  printf "  run %s: airgap %.3f s   git daemon %.3f s\n" "$r" "$a" "$d"
done

echo "== one new commit: incremental export vs full export"
parent=$(git -C "$W/upstream.git" rev-parse main)
printf 'commit refs/heads/main\ncommitter Fixture <fixture@example.invalid> 1800000000 +0000\ndata 10\none more\n\nfrom %s\nM 100644 inline counter.txt\ndata 8\nchanged\n\n' "$parent" \
  | git -C "$W/upstream.git" fast-import --quiet
airgap export --spec "$W/spec.yaml" --key "$W/keys/bench.key" --out "$W/incremental.bundle" --state "$W/state" --sequence 2 >/dev/null
airgap export --spec "$W/spec.yaml" --key "$W/keys/bench.key" --out "$W/full2.bundle" --sequence 2 >/dev/null
airgap import "$W/incremental.bundle" --mirror "$W/mirror" --trust "$W/trust" --no-scan >/dev/null
git -C "$W/clones/airgap-1" fetch -q "http://127.0.0.1:$aport/git/bench.git" main
[[ $(git -C "$W/clones/airgap-1" rev-parse FETCH_HEAD) == $(git -C "$W/upstream.git" rev-parse main) ]] || { echo "fetch after incremental import failed" >&2; exit 1; }
gitsize() { airgap inspect "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifest"]["artifacts"][0]["files"][0]["size"])'; }
inc=$(gitsize "$W/incremental.bundle"); full=$(gitsize "$W/full2.bundle")

python3 - "$W/raw.tsv" "$commits" "$export_s" "$import_s" "$inc" "$full" "$(stat -c %s "$W/incremental.bundle")" "$(stat -c %s "$W/full2.bundle")" <<'PY' | tee -a "$W/results.txt"
import statistics, sys
raw, commits, export_s, import_s, inc, full, inc_b, full_b = sys.argv[1:]
rows = [l.split("\t") for l in open(raw).read().split("\n") if l]
a = [float(r[1]) for r in rows]; d = [float(r[2]) for r in rows]
warm_a = a[1:] if len(a) > 1 else a
def fmt(xs): return "min %.3f  median %.3f  max %.3f s" % (min(xs), statistics.median(xs), max(xs))
print(f"repository: {commits} commits; full export {float(export_s):.2f} s, import {float(import_s):.2f} s")
print(f"clone from airgap serve (runs 2..n): {fmt(warm_a)}   (first run {a[0]:.3f} s, JVM warm-up)")
print(f"clone from git daemon   (all runs):  {fmt(d)}")
print(f"ratio airgap/git-daemon (medians, warm): {statistics.median(warm_a) / statistics.median(d):.2f}")
print(f"one new commit: git bundle incremental {int(inc)} B vs full {int(full)} B ({int(inc) / int(full) * 100:.2f} %)")
print(f"                airgap bundle incremental {int(inc_b)} B vs full {int(full_b)} B")
PY

#!/usr/bin/env bash
# apt slice benchmark (issue 4): publishing a suite of N generated packages with `airgap import`
# versus `aptly repo add` + `aptly publish` of the same .debs, in the same run; and `apt-get update`
# against `airgap serve` versus nginx serving the same published tree. Fresh directories, R runs
# each, min/median/max. Needs the build output (mvn -DskipTests package), dpkg-deb, aptly, gpg,
# apt-get; nginx is optional (that comparison is skipped without it).
#
#   bench/apt.sh [--packages N] [--kib K] [--runs R] [--work DIR]
#
# --kib K: each package carries K KiB of incompressible data on average (uniform between K/2 and
# 3K/2; default 8, i.e. 4-12 KiB, tiny packages where per-package overhead dominates).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
n=1000; kib=8; runs=3; work=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --packages) n="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --kib) kib="$2"; shift ;;
    --work) work="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
jar="$repo/cli/target/airgap-cli.jar"; lib="$repo/cli/target/lib"
[[ -f "$jar" && -d "$lib" ]] || { echo "build first: mvn -q -DskipTests package" >&2; exit 2; }
work="${work:-$here/out/apt-$(date +%Y%m%d-%H%M%S)}"
[[ -e "$work" ]] && { echo "$work exists" >&2; exit 2; }
mkdir -p "$work"; work="$(cd "$work" && pwd)"
# Every airgap command runs through a copy of the ./airgap launcher with the build output, exactly
# as users run it (its heap cap, class-data-sharing archive and JIT choice), and safe from a
# concurrent rebuild.
mkdir -p "$work/airgap/cli/target"
cp -r "$jar" "$lib" "$work/airgap/cli/target/"
cp "$repo/airgap" "$work/airgap/airgap"
launcher="$work/airgap/airgap"
airgap() { "$launcher" "$@"; }
now() { date +%s.%N; }
stats() { python3 -c 'import sys,statistics as s; v=sorted(float(x) for x in sys.argv[1:]); print(f"min {v[0]:.3f} s, median {s.median(v):.3f} s, max {v[-1]:.3f} s")' "$@"; }
median() { python3 -c 'import sys,statistics as s; print(s.median(float(x) for x in sys.argv[1:]))' "$@"; }

echo "== generating $n packages in $work/debs"
mkdir -p "$work/debs" "$work/build"
gen() {
  local i=$1 name dir
  name=$(printf 'benchpkg%04d' "$i"); dir="$work/build/$name"
  mkdir -p "$dir/DEBIAN" "$dir/usr/share/$name"
  dep=""; [[ $i -gt 0 ]] && dep="Depends: $(printf 'benchpkg%04d' $((i - 1))) (>= 1.0)"
  printf 'Package: %s\nVersion: 1.0-%d\nArchitecture: amd64\nMaintainer: Bench <bench@example.invalid>\nSection: misc\nPriority: optional\n%s\nDescription: generated benchmark package %d\n A package made by bench/apt.sh.\n' \
    "$name" "$i" "$dep" "$i" | sed '/^$/d' > "$dir/DEBIAN/control"
  head -c $((kib * 512 + (i * 7919) % (kib * 1024))) /dev/urandom > "$dir/usr/share/$name/data"
  dpkg-deb --root-owner-group -Zgzip -z1 --build "$dir" "$work/debs/" >/dev/null
}
export -f gen; export work kib
seq 0 $((n - 1)) | xargs -P "$(nproc)" -I{} bash -c 'gen {}'
rm -rf "$work/build"
echo "   $(ls "$work/debs" | wc -l) .debs, $(du -sh "$work/debs" | cut -f1)"

echo "== keys"
export GNUPGHOME="$work/gnupg"; mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'Bench <bench@example.invalid>' ed25519 sign never 2>/dev/null
fpr=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr/ {print $10; exit}')
airgap keys generate --out "$work/keys" --name ops >/dev/null
airgap keys generate --openpgp --out "$work/keys" --name repo >/dev/null
mkdir -p "$work/trust"; cp "$work/keys/ops.pub" "$work/trust/"

echo "== airgap export (local .debs; not part of the comparison)"
{ echo "artifacts:"; echo "  - type: apt"; echo "    suite: bench"; echo "    debs:"; for f in "$work"/debs/*.deb; do echo "      - $f"; done; } > "$work/spec.yaml"
t0=$(now); airgap export --key "$work/keys/ops.key" --spec "$work/spec.yaml" --out "$work/bench.bundle" --channel bench --sequence 1 >/dev/null; t1=$(now)
echo "   export: $(python3 -c "print(f'{$t1-$t0:.3f}')") s"

airgap export --key "$work/keys/ops.key" --files "$work/debs" --out "$work/files.bundle" --channel files --sequence 1 >/dev/null
cpu() { awk '{print $2 + $3}' "$1"; }
air=(); air_cpu=(); files=(); files_cpu=(); aptly_pub=(); aptly_all=(); aptly_cpu=()
for r in $(seq 1 "$runs"); do
  sync
  # Foundation baseline: the same blobs imported as plain files (no apt publisher work).
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$launcher" import "$work/files.bundle" --mirror "$work/files-mirror-$r" --trust "$work/trust" --no-scan >/dev/null
  files+=("$(awk '{print $1}' "$work/time")"); files_cpu+=("$(cpu "$work/time")")
  sync
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$launcher" import "$work/bench.bundle" --mirror "$work/mirror-$r" --trust "$work/trust" --no-scan --repo-key "$work/keys/repo.secret.asc" >/dev/null
  air+=("$(awk '{print $1}' "$work/time")"); air_cpu+=("$(cpu "$work/time")")

  cat > "$work/aptly-$r.conf" <<CONF
{"rootDir": "$work/aptly-$r", "architectures": ["amd64"], "gpgProvider": "gpg"}
CONF
    sync
  t0=$(now)
  /usr/bin/time -f "%e %U %S" -o "$work/time1" aptly -config="$work/aptly-$r.conf" repo create -distribution=bench -component=main bench >/dev/null
  /usr/bin/time -f "%e %U %S" -o "$work/time2" aptly -config="$work/aptly-$r.conf" repo add bench "$work/debs" >/dev/null 2>&1
  t1=$(now)
  /usr/bin/time -f "%e %U %S" -o "$work/time3" aptly -config="$work/aptly-$r.conf" publish repo -architectures=amd64 -acquire-by-hash -gpg-key="$fpr" -batch bench >/dev/null 2>&1
  t2=$(now)
  aptly_pub+=("$(python3 -c "print($t2-$t1)")"); aptly_all+=("$(python3 -c "print($t2-$t0)")")
  aptly_cpu+=("$(python3 -c "print($(cpu "$work/time1") + $(cpu "$work/time2") + $(cpu "$work/time3"))")")
  echo "   run $r: airgap import ${air[-1]} s (cpu ${air_cpu[-1]} s), same blobs as files ${files[-1]} s (cpu ${files_cpu[-1]} s); aptly repo add + publish ${aptly_all[-1]:0:6} s (cpu ${aptly_cpu[-1]:0:5} s; publish alone ${aptly_pub[-1]:0:6} s); load $(cut -d' ' -f1 /proc/loadavg)"
done
echo "airgap import (verify + stage $n blobs + read $n control files + write signed suite): $(stats "${air[@]}")"
echo "  cpu (user+sys):                                                       $(stats "${air_cpu[@]}")"
echo "airgap import of the same blobs as plain files (foundation baseline):  $(stats "${files[@]}")"
echo "  cpu (user+sys):                                                       $(stats "${files_cpu[@]}")"
echo "aptly repo add + publish:                                              $(stats "${aptly_all[@]}")"
echo "  cpu (user+sys):                                                       $(stats "${aptly_cpu[@]}")"
echo "aptly publish alone:                                                   $(stats "${aptly_pub[@]}")"
echo "ratio airgap import / (aptly add + publish), medians: $(python3 -c "print(f'{$(median "${air[@]}")/$(median "${aptly_all[@]}"):.2f}')")"
echo "ratio airgap import / aptly publish alone, medians:   $(python3 -c "print(f'{$(median "${air[@]}")/$(median "${aptly_pub[@]}"):.2f}')")"

echo "== apt-get update: airgap serve vs nginx on the same tree"
mirror="$work/mirror-1"
# The same tree as plain files: the generation's apt/ metadata plus the pool as the index names it.
tree="$work/tree/apt"; mkdir -p "$tree"
cp -r "$mirror/current/apt/." "$tree/"; rm -f "$tree/index.json"
python3 - "$mirror" "$tree" <<'PY'
import json, os, sys
mirror, tree = sys.argv[1], sys.argv[2]
idx = json.load(open(os.path.join(mirror, "current/apt/index.json")))
for path, e in idx["pool"].items():
    hexd = e["sha256"].split(":")[1]
    dst = os.path.join(tree, path); os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.link(os.path.join(mirror, "store/sha256", hexd[:2], hexd), dst)
PY
"$launcher" serve --mirror "$mirror" --bind 127.0.0.1 --port 0 > "$work/serve.log" 2>&1 &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true; [[ -n "${nginx_pid:-}" ]] && kill $nginx_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q 'http://127.0.0.1:' "$work/serve.log" && break; sleep 0.1; done
air_port=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1 | cut -d: -f3)
curl -fsS "http://127.0.0.1:$air_port/apt/key.gpg" -o "$work/mirror-key.gpg"

aptget_update() { # base_url label
  local base=$1 d="$work/apt-$2"; rm -rf "$d"; mkdir -p "$d"/{sources.list.d,trusted.gpg.d,preferences.d,apt.conf.d,state/lists/partial,cache/archives/partial}
  echo "deb [signed-by=$work/mirror-key.gpg] $base bench main" > "$d/sources.list"; : > "$d/apt.conf"
  APT_CONFIG="$d/apt.conf" apt-get -qq -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts="$d/sources.list.d" \
    -o Dir::Etc::trusted="$d/trusted.gpg" -o Dir::Etc::trustedparts="$d/trusted.gpg.d" -o Dir::Etc::preferences="$d/preferences" \
    -o Dir::Etc::preferencesparts="$d/preferences.d" -o Dir::Etc::parts="$d/apt.conf.d" -o Dir::State="$d/state" -o Dir::Cache="$d/cache" \
    -o Dir::State::status=/var/lib/dpkg/status -o APT::Architecture=amd64 -o Acquire::Languages=none -o Debug::NoLocking=1 update
}
upd_runs=$((runs * 5))
ta=()
for r in $(seq 1 "$upd_runs"); do t0=$(now); aptget_update "http://127.0.0.1:$air_port/apt" air; t1=$(now); ta+=("$(python3 -c "print($t1-$t0)")"); done
echo "apt-get update against airgap serve ($upd_runs runs): $(stats "${ta[@]}")"
if command -v nginx >/dev/null 2>&1; then
  ng="$work/nginx"; mkdir -p "$ng/logs"
  ng_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$ng/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $ng/nginx.pid; error_log $ng/logs/error.log;
events { worker_connections 64; }
http { access_log off; types { } default_type application/octet-stream; sendfile on;
  server { listen 127.0.0.1:$ng_port; root $work/tree; } }
CONF
  nginx -c "$ng/nginx.conf" -p "$ng" & nginx_pid=$!
  sleep 0.5
  tn=()
  for r in $(seq 1 "$upd_runs"); do t0=$(now); aptget_update "http://127.0.0.1:$ng_port/apt" nginx; t1=$(now); tn+=("$(python3 -c "print($t1-$t0)")"); done
  echo "apt-get update against nginx ($upd_runs runs):       $(stats "${tn[@]}")"
  echo "ratio airgap / nginx, medians: $(python3 -c "print(f'{$(median "${ta[@]}")/$(median "${tn[@]}"):.2f}')")"
  kill $nginx_pid 2>/dev/null || true; nginx_pid=""
else
  echo "nginx not installed: skipping the nginx comparison"
fi
kill $serve_pid 2>/dev/null || true
echo "work directory: $work (delete it when done)"

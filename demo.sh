#!/usr/bin/env bash
# The whole airgap path on built-in sample data, end to end:
# keys → export → inspect → verify → import (real clamd when installed) → serve → fetch every file back and compare.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${1:-$here/demo-out}"
rm -rf "$work"; mkdir -p "$work"
cd "$here"
[[ -f cli/target/airgap-cli.jar ]] || { echo "== building"; mvn -q -B -DskipTests install; }
ag() { "$here/airgap" "$@"; }
clamd_pid=""; serve_pid=""
cleanup() { for p in $clamd_pid $serve_pid; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== sample data"; testdata/make-sample.sh "$work/sample" 8
echo "== keys"; ag keys generate --out "$work/keys" --name ops
mkdir -p "$work/trust"; cp "$work/keys/ops.pub" "$work/trust/"
echo "== export"
ag export --key "$work/keys/ops.key" --out "$work/demo.bundle" --channel demo --sequence 1 --expires 7d \
  --files "$work/sample/files/docs" --model "$work/sample/models/tiny-model"
echo "== inspect"; ag inspect "$work/demo.bundle" --trust "$work/trust"
echo "== verify"; ag verify "$work/demo.bundle" --trust "$work/trust"

scan=(--no-scan)
clamd_bin=$(command -v clamd || echo /usr/sbin/clamd)
if [[ -x "$clamd_bin" ]]; then
  echo "== starting clamd (private config, test signature database)"
  mkdir -p "$work/clamd/db"
  # ClamAV body signature for the EICAR test file, written as hex.
  echo "Airgap.Test.EICAR:0:0:58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a" > "$work/clamd/db/airgap-test.ndb"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$work/clamd/clamd.conf" <<CONF
Foreground yes
TCPSocket $port
TCPAddr 127.0.0.1
DatabaseDirectory $work/clamd/db
LogFile $work/clamd/clamd.log
StreamMaxLength 512M
MaxFileSize 512M
MaxScanSize 512M
CONF
  "$clamd_bin" --config-file="$work/clamd/clamd.conf" > "$work/clamd/stdout.log" 2>&1 & clamd_pid=$!
  for _ in $(seq 100); do (echo PING | timeout 1 bash -c "cat > /dev/tcp/127.0.0.1/$port" ) 2>/dev/null && break; sleep 0.2; done
  scan=(--clamd "127.0.0.1:$port")
else
  echo "== clamd not installed: importing with --no-scan (labs only)"
fi
echo "== import"; ag import "$work/demo.bundle" --mirror "$work/mirror" --trust "$work/trust" "${scan[@]}"
echo "== import again (identical bundle: no-op)"; ag import "$work/demo.bundle" --mirror "$work/mirror" --trust "$work/trust" "${scan[@]}"
echo "== audit"; ag audit verify --mirror "$work/mirror"

echo "== serve"
"$here/airgap" serve --mirror "$work/mirror" --port 0 > "$work/serve.log" 2>&1 & serve_pid=$!
for _ in $(seq 100); do grep -q 'serving' "$work/serve.log" 2>/dev/null && break; sleep 0.2; done
url=$(grep -o 'http://[^ ]*' "$work/serve.log" | head -1)
echo "mirror at $url"
echo "== fetch every file back and compare"
fail=0
while IFS= read -r path; do
  src="$work/sample/files/$path"; [[ -f "$src" ]] || src="$work/sample/models/$path"
  enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$path")
  curl -fsS "${url}files/demo/$enc" -o "$work/fetched"
  if cmp -s "$src" "$work/fetched"; then echo "identical  $path"; else echo "DIFFERENT  $path"; fail=1; fi
done < <(ag inspect "$work/demo.bundle" --json | python3 -c 'import json,sys; m=json.load(sys.stdin)["manifest"]; [print(f["path"]) for a in m["artifacts"] for f in a["files"]]')
[[ $fail == 0 ]] && echo "== demo OK: every file served by the mirror is byte-identical to its source" || { echo "== demo FAILED"; exit 1; }

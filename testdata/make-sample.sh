#!/usr/bin/env bash
# Builds the built-in sample data used by the demo and the tests:
#   OUT/files/...            a few plain files (text, JSON, a nested dir, a duplicate, a non-ASCII name)
#   OUT/models/tiny-model/   a Hugging Face–style snapshot: config.json, tokenizer.json, model.safetensors
# Usage: testdata/make-sample.sh OUT [WEIGHT_MIB]
set -euo pipefail
out=${1:?usage: make-sample.sh OUT [WEIGHT_MIB]}
mib=${2:-4}
mkdir -p "$out/files/docs/nested" "$out/models/tiny-model"

printf 'airgap sample data\nThis file travelled into the enclave inside a signed bundle.\n' > "$out/files/docs/README.txt"
printf '{"name": "sample", "items": [1, 2, 3]}\n' > "$out/files/docs/data.json"
printf 'same bytes, stored once\n' > "$out/files/docs/nested/copy-a.txt"
printf 'same bytes, stored once\n' > "$out/files/docs/nested/copy-b.txt"
printf 'unicode name\n' > "$out/files/docs/nested/résumé.txt"
: > "$out/files/docs/empty.txt"

m="$out/models/tiny-model"
cat > "$m/config.json" <<'JSON'
{"architectures": ["TinyModel"], "hidden_size": 64, "num_hidden_layers": 2, "model_type": "tiny"}
JSON
cat > "$m/tokenizer.json" <<'JSON'
{"version": "1.0", "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "hello": 1, "world": 2}}}
JSON
# A valid safetensors file: u64 little-endian header length, JSON header, then raw F32 data.
n=$(( mib * 1024 * 1024 / 4 ))
header=$(printf '{"weight":{"dtype":"F32","shape":[%d],"data_offsets":[0,%d]}}' "$n" $(( n * 4 )))
pad=$(( (8 - ${#header} % 8) % 8 ))
header="$header$(printf '%*s' "$pad" '')"
len=${#header}
printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x\\x00\\x00\\x00\\x00' $((len & 255)) $(((len >> 8) & 255)) $(((len >> 16) & 255)) $(((len >> 24) & 255)))" > "$m/model.safetensors"
printf '%s' "$header" >> "$m/model.safetensors"
# Deterministic pseudo-random weights (the same bytes on every machine).
# (openssl dies of SIGPIPE when head has enough; the size check below is what counts)
{ openssl enc -aes-128-ctr -nosalt -pass pass:airgap-sample -pbkdf2 -iter 1 < /dev/zero 2>/dev/null || true; } | head -c $(( n * 4 )) >> "$m/model.safetensors"
want=$(( 8 + len + n * 4 ))
got=$(stat -c %s "$m/model.safetensors")
[[ $got == "$want" ]] || { echo "make-sample.sh: model.safetensors is $got bytes, expected $want" >&2; exit 1; }
echo "sample data in $out"

#!/usr/bin/env bash
# Builds the Hugging Face fixtures for the hf tests and benchmark, deterministically:
#   OUT/repo/      a tiny model repository: config, tokenizer files, a model card (license, base
#                  model, library, pipeline tag, languages, datasets, tags), a few-MiB
#                  model.safetensors, a pickle-based pytorch_model.bin, a nested file
#   OUT/dataset/   a tiny dataset repository
#   OUT/cache/     the model as a Hugging Face cache: models--example-org--tiny-model/{blobs,snapshots/COMMIT,refs/main}
#                  (LFS files' blobs named by SHA-256, the others by git blob id)
#   OUT/commit     the commit id the fixtures use for the model (40 hex)
# Usage: make-repo.sh OUT [SAFETENSORS_MIB]
set -euo pipefail
out=${1:?usage: make-repo.sh OUT [SAFETENSORS_MIB]}
mib=${2:-4}
mkdir -p "$out"
python3 - "$out" "$mib" <<'PY'
import hashlib, json, os, random, struct, sys
out, mib = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
repo = os.path.join(out, "repo")
os.makedirs(os.path.join(repo, "sub"), exist_ok=True)

def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

write(os.path.join(repo, "config.json"), json.dumps({"architectures": ["TinyModel"], "hidden_size": 64, "vocab_size": 128}, indent=2) + "\n")
write(os.path.join(repo, "tokenizer.json"), json.dumps({"version": "1.0", "model": {"type": "WordLevel", "vocab": {f"tok{i}": i for i in range(128)}}}) + "\n")
write(os.path.join(repo, "tokenizer_config.json"), '{"model_max_length": 512}\n')
write(os.path.join(repo, "special_tokens_map.json"), '{"unk_token": "tok0"}\n')
write(os.path.join(repo, "README.md"), "---\nlicense: apache-2.0\nbase_model: example-org/base-model\nlibrary_name: transformers\n"
      "pipeline_tag: text-classification\nlanguage:\n- en\n- fr\ndatasets:\n- example-org/tiny-data\ntags:\n- test\n"
      "model-index:\n- name: tiny-model\n  results: []\n---\n# tiny-model\n\nA fixture for airgap's tests.\n")
write(os.path.join(repo, ".gitattributes"), "*.bin filter=lfs diff=lfs merge=lfs -text\n*.safetensors filter=lfs diff=lfs merge=lfs -text\n")
write(os.path.join(repo, "sub", "notes.txt"), "nested file, comma, and space.\n")
# safetensors: u64 LE header length, JSON header (padded to 8 bytes), then the tensor data.
n = mib * (1 << 20) // 4
header = json.dumps({"weight": {"dtype": "F32", "shape": [n], "data_offsets": [0, 4 * n]}}).encode()
header += b" " * (-len(header) % 8)
with open(os.path.join(repo, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header)
    left = 4 * n
    while left:
        chunk = min(left, 1 << 20)
        f.write(rnd.randbytes(chunk))
        left -= chunk
# a pickle-based checkpoint (the format --refuse-pickle refuses)
import pickle
write(os.path.join(repo, "pytorch_model.bin"), pickle.dumps({"weight": rnd.randbytes(4096)}, protocol=4))

ds = os.path.join(out, "dataset", "data")
os.makedirs(ds, exist_ok=True)
write(os.path.join(out, "dataset", "README.md"), "---\nlicense: cc-by-4.0\ntask_categories:\n- text-classification\nlanguage:\n- en\n"
      "size_categories:\n- n<1K\n---\n# tiny-data\n")
write(os.path.join(ds, "train.csv"), "text,label\n" + "".join(f"row {i},{i % 2}\n" for i in range(200)))

commit = hashlib.sha1(b"airgap hf fixture: example-org/tiny-model").hexdigest()
write(os.path.join(out, "commit"), commit + "\n")
lfs = lambda rel: rel.endswith((".safetensors", ".bin"))
cache = os.path.join(out, "cache", "models--example-org--tiny-model")
for d in ("blobs", "refs", "snapshots/" + commit):
    os.makedirs(os.path.join(cache, d), exist_ok=True)
write(os.path.join(cache, "refs", "main"), commit)
for root, _, names in os.walk(repo):
    for name in names:
        src = os.path.join(root, name)
        rel = os.path.relpath(src, repo)
        data = open(src, "rb").read()
        etag = hashlib.sha256(data).hexdigest() if lfs(rel) else hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        write(os.path.join(cache, "blobs", etag), data)
        link = os.path.join(cache, "snapshots", commit, rel)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.relpath(os.path.join(cache, "blobs", etag), os.path.dirname(link)), link)
PY

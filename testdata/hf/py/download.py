"""Downloads from a Hub-compatible endpoint (HF_ENDPOINT) with huggingface_hub, as a user would.

usage: download.py snapshot REPO_ID REPO_TYPE CACHE_DIR [REVISION]
       download.py file REPO_ID REPO_TYPE CACHE_DIR FILENAME [REVISION]
Prints the local path of the snapshot folder or file.
"""
import sys

from huggingface_hub import hf_hub_download, snapshot_download

mode, repo_id, repo_type, cache_dir = sys.argv[1:5]
if mode == "snapshot":
    revision = sys.argv[5] if len(sys.argv) > 5 else None
    print(snapshot_download(repo_id, repo_type=repo_type, cache_dir=cache_dir, revision=revision))
else:
    revision = sys.argv[6] if len(sys.argv) > 6 else None
    print(hf_hub_download(repo_id, sys.argv[5], repo_type=repo_type, cache_dir=cache_dir, revision=revision))

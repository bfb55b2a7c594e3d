"""Asks a Hub-compatible endpoint (HF_ENDPOINT) about a repository with huggingface_hub's HfApi.

usage: hub_info.py REPO_ID REPO_TYPE REVISION
Prints one JSON object: the refs (list_repo_refs, with pull requests), the commits of the revision
(list_repo_commits, formatted), and the repository info's card data, tags, pipeline tag and library.
"""
import json
import sys

from huggingface_hub import HfApi

repo_id, repo_type, revision = sys.argv[1:4]
api = HfApi()
refs = api.list_repo_refs(repo_id, repo_type=repo_type, include_pull_requests=True)
commits = api.list_repo_commits(repo_id, repo_type=repo_type, revision=revision, formatted=True)
info = api.repo_info(repo_id, repo_type=repo_type, revision=revision)
print(json.dumps({
    "branches": [[r.name, r.ref, r.target_commit] for r in refs.branches],
    "tags": [[r.name, r.ref, r.target_commit] for r in refs.tags],
    "converts": len(refs.converts),
    "pull_requests": len(refs.pull_requests),
    "commits": [{"id": c.commit_id, "title": c.title, "authors": c.authors, "date": c.created_at.isoformat(),
                 "formatted_title": c.formatted_title} for c in commits],
    "sha": info.sha,
    "card_data": info.card_data.to_dict() if info.card_data is not None else None,
    "repo_tags": info.tags,
    "pipeline_tag": getattr(info, "pipeline_tag", None),
    "library_name": getattr(info, "library_name", None),
}))

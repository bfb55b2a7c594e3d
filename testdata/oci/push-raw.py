#!/usr/bin/env python3
"""Pushes one tag of an OCI image layout to a registry byte for byte (blobs by monolithic upload,
manifests by PUT), for content skopeo will not copy unchanged (OCI 1.1 artifacts and the
referrers fallback index).

usage: push-raw.py http://HOST:PORT REPO LAYOUT_DIR TAG
"""
import json
import os
import sys
import urllib.request

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")


def request(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req) as r:
        return r.status, dict(r.headers)


def read_blob(layout, digest):
    with open(os.path.join(layout, "blobs", "sha256", digest[7:]), "rb") as f:
        return f.read()


def push_blob(base, repo, layout, digest):
    status, headers = request("POST", "%s/v2/%s/blobs/uploads/" % (base, repo))
    location = headers["Location"]
    if location.startswith("/"):
        location = base + location
    sep = "&" if "?" in location else "?"
    request("PUT", location + sep + "digest=" + digest, read_blob(layout, digest), {"Content-Type": "application/octet-stream"})


def push_manifest(base, repo, layout, desc, reference):
    body = read_blob(layout, desc["digest"])
    manifest = json.loads(body)
    if desc["mediaType"] in INDEX_TYPES:
        for child in manifest["manifests"]:
            push_manifest(base, repo, layout, child, child["digest"])
    else:
        for blob in [manifest["config"]] + manifest.get("layers", []):
            push_blob(base, repo, layout, blob["digest"])
    request("PUT", "%s/v2/%s/manifests/%s" % (base, repo, reference), body, {"Content-Type": desc["mediaType"]})


def main():
    base, repo, layout, tag = sys.argv[1:5]
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    for desc in index["manifests"]:
        if desc.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
            push_manifest(base.rstrip("/"), repo, layout, desc, tag)
            return
    sys.exit("tag %s not in %s" % (tag, layout))


if __name__ == "__main__":
    main()

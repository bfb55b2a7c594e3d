#!/usr/bin/env python3
"""Builds the OCI test images by hand: OCI image layouts and a docker-save archive, no daemon.

usage: make-images.py OUT [VARIANT]

OUT/layouts/app      tag 1.0: one linux/amd64 image, layers [base, app]
OUT/layouts/multi    tag 2.0: an index of a linux/amd64 and a linux/arm64 image (both on base)
OUT/layouts/other    tag 1.0: another image that shares the base layer with app
OUT/layouts/extras   tag sha256-<app digest hex>.sig: a cosign-style signature of app;
                     tag sha256-<app digest hex>: the OCI 1.1 referrers fallback index, listing an
                     SPDX SBOM artifact whose subject is app's manifest
OUT/archives/archived.tar  a `docker save` archive of archived/app:3.0 (uncompressed layers)
OUT/expected.json    digests of everything above, for the tests to compare against
OUT/current/         copies of app's manifest and config (stable paths for the contract test)

VARIANT (default 1) changes the content of app's own layer, so app gets new layer/config/manifest
digests while base stays the same. Output is deterministic (fixed mtimes, gzip without a timestamp).
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"


def tar_bytes(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def gz(data):
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as g:
        g.write(data)
    return out.getvalue()


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=False).encode()


class Layout:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(root, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')
        self.index = []

    def blob(self, data, media_type, **extra):
        d = digest(data)
        with open(os.path.join(self.root, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        desc = {"mediaType": media_type, "digest": d, "size": len(data)}
        desc.update(extra)
        return desc

    def tag(self, desc, tag):
        entry = dict(desc)
        entry["annotations"] = {"org.opencontainers.image.ref.name": tag}
        self.index.append(entry)

    def close(self):
        with open(os.path.join(self.root, "index.json"), "wb") as f:
            f.write(canonical({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": self.index}))


def config(arch, diff_ids):
    return canonical({
        "architecture": arch, "os": "linux",
        "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/true"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    })


def image(layout, arch, layer_tars):
    layers = []
    for t in layer_tars:
        layers.append(layout.blob(gz(t), OCI_LAYER_GZIP))
    cfg = layout.blob(config(arch, [digest(t) for t in layer_tars]), OCI_CONFIG)
    manifest = canonical({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": cfg, "layers": layers})
    return layout.blob(manifest, OCI_MANIFEST), manifest


def main():
    out = sys.argv[1]
    variant = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    expected = {}
    base = tar_bytes([("etc/os-release", b"NAME=airgap-test-base\nVERSION=1\n"), ("bin/true", b"#!/bin/sh\nexit 0\n")])

    app = Layout(os.path.join(out, "layouts", "app"))
    app_layer = tar_bytes([("app/hello.txt", ("hello from app, variant %d\n" % variant).encode())])
    app_desc, app_manifest = image(app, "amd64", [base, app_layer])
    app.tag(app_desc, "1.0")
    app.close()
    expected["app"] = app_desc["digest"]
    expected["appConfig"] = json.loads(app_manifest)["config"]["digest"]
    expected["appLayers"] = [l["digest"] for l in json.loads(app_manifest)["layers"]]
    os.makedirs(os.path.join(out, "current"), exist_ok=True)
    with open(os.path.join(out, "current", "app-manifest.json"), "wb") as f:
        f.write(app_manifest)

    multi = Layout(os.path.join(out, "layouts", "multi"))
    children = []
    for arch in ("amd64", "arm64"):
        layer = tar_bytes([("arch.txt", ("built for %s\n" % arch).encode())])
        desc, _ = image(multi, arch, [base, layer])
        desc["platform"] = {"architecture": arch, "os": "linux"}
        children.append(desc)
        expected["multi-" + arch] = desc["digest"]
    index = canonical({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children})
    index_desc = multi.blob(index, OCI_INDEX)
    multi.tag(index_desc, "2.0")
    multi.close()
    expected["multi"] = index_desc["digest"]

    other = Layout(os.path.join(out, "layouts", "other"))
    other_desc, _ = image(other, "amd64", [base, tar_bytes([("other.txt", b"another image on the same base\n")])])
    other.tag(other_desc, "1.0")
    other.close()
    expected["other"] = other_desc["digest"]
    expected["base"] = digest(gz(base))

    # A cosign-style signature (tag sha256-<hex>.sig) and an SBOM referrer of app's manifest.
    extras = Layout(os.path.join(out, "layouts", "extras"))
    app_hex = app_desc["digest"][7:]
    payload = canonical({"critical": {"identity": {"docker-reference": "app"}, "image": {"docker-manifest-digest": app_desc["digest"]},
                                      "type": "cosign container image signature"}, "optional": None})
    sig_layer = extras.blob(payload, "application/vnd.dev.cosign.simplesigning.v1+json",
                            annotations={"dev.cosignproject.cosign/signature": "MEUCIQDtestsignature"})
    sig_cfg = extras.blob(config("amd64", []), OCI_CONFIG)
    sig_manifest = canonical({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": sig_cfg, "layers": [sig_layer]})
    sig_desc = extras.blob(sig_manifest, OCI_MANIFEST)
    extras.tag(sig_desc, "sha256-%s.sig" % app_hex)
    expected["signature"] = sig_desc["digest"]

    empty = extras.blob(b"{}", OCI_EMPTY)
    spdx = canonical({"spdxVersion": "SPDX-2.3", "name": "app", "SPDXID": "SPDXRef-DOCUMENT", "packages": []})
    sbom_layer = extras.blob(spdx, "application/spdx+json")
    sbom_manifest = canonical({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": "application/spdx+json",
                               "config": empty, "layers": [sbom_layer],
                               "subject": {"mediaType": OCI_MANIFEST, "digest": app_desc["digest"], "size": app_desc["size"]},
                               "annotations": {"org.opencontainers.image.created": "2026-01-01T00:00:00Z"}})
    sbom_desc = extras.blob(sbom_manifest, OCI_MANIFEST, artifactType="application/spdx+json",
                            annotations={"org.opencontainers.image.created": "2026-01-01T00:00:00Z"})
    fallback = canonical({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [sbom_desc]})
    fallback_desc = extras.blob(fallback, OCI_INDEX)
    extras.tag(fallback_desc, "sha256-%s" % app_hex)
    extras.close()
    expected["sbom"] = sbom_desc["digest"]
    expected["sbomLayer"] = sbom_layer["digest"]

    # docker save format: manifest.json, <config hex>.json, <id>/layer.tar (uncompressed)
    os.makedirs(os.path.join(out, "archives"), exist_ok=True)
    arch_layers = [base, tar_bytes([("srv/archived.txt", b"from a docker save archive\n")])]
    cfg = config("amd64", [digest(t) for t in arch_layers])
    cfg_hex = hashlib.sha256(cfg).hexdigest()
    entries = [(cfg_hex + ".json", cfg)]
    names = []
    for t in arch_layers:
        lid = hashlib.sha256(t).hexdigest()
        entries.append((lid + "/VERSION", b"1.0"))
        entries.append((lid + "/layer.tar", t))
        names.append(lid + "/layer.tar")
    entries.append(("manifest.json", canonical([{"Config": cfg_hex + ".json", "RepoTags": ["archived/app:3.0"], "Layers": names}])))
    entries.append(("repositories", canonical({"archived/app": {"3.0": hashlib.sha256(arch_layers[-1]).hexdigest()}})))
    with open(os.path.join(out, "archives", "archived.tar"), "wb") as f:
        f.write(tar_bytes(entries))
    expected["archivedConfig"] = "sha256:" + cfg_hex
    expected["archivedLayers"] = [digest(t) for t in arch_layers]

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2, sort_keys=True)


if __name__ == "__main__":
    main()

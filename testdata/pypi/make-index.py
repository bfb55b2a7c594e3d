#!/usr/bin/env python3
"""Builds tiny wheels, one sdist and a PEP 503 index of them (with PEP 658 metadata files) for airgap's tests.

Usage: make-index.py OUTDIR [REVISION]

REVISION (optional) goes into the alpha wheels' code, so a rebuild changes exactly those files'
bytes (everything else is byte-identical: fixed zip timestamps).

OUTDIR/simple/<project>/index.html links ../../files/<file>#sha256=...; OUTDIR/files/ holds the
distributions and their .metadata files. The graph (see docs/pypi.md, "Test fixture"):

  app 1.0      -> alpha>=1.0, beta[fast], winonly (win32 only), oldpy (python < 3.10), gamma (extra "extra")
  alpha        1.0, 2.0, 2.1 (yanked), 2.5 (Requires-Python >=3.12), 3.0rc1 (pre-release)
  beta 1.0     -> native>=1.0 with extra "fast"; served without PEP 658 metadata
  native 1.0   cp311 manylinux2014 x86_64 wheel, cp311 win_amd64 wheel, and an sdist
  winonly, oldpy, gamma 1.0: pure wheels
Only the standard library is used: a wheel is a zip.
"""
import base64
import hashlib
import html
import io
import os
import sys
import tarfile
import zipfile

FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def metadata(name, version, requires=(), extras=(), requires_python=None, license_="MIT"):
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", f"Summary: {name} test package",
             f"License: {license_}", "Home-page: https://example.org/" + name]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    for e in extras:
        lines.append(f"Provides-Extra: {e}")
    for r in requires:
        lines.append(f"Requires-Dist: {r}")
    return ("\n".join(lines) + "\n\n" + f"{name} is a test package.\n").encode()


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


REVISION = sys.argv[2] if len(sys.argv) > 2 else None


def wheel(out, name, version, meta, tag="py3-none-any", pure=True):
    dist = f"{name}-{version}.dist-info"
    code = f'VERSION = "{version}"\n' + (f'REVISION = "{REVISION}"\n' if REVISION and name == "alpha" else "")
    files = {
        f"{name}/__init__.py": code.encode(),
        f"{dist}/METADATA": meta,
        f"{dist}/WHEEL": (f"Wheel-Version: 1.0\nGenerator: airgap-testdata\nRoot-Is-Purelib: {'true' if pure else 'false'}\nTag: {tag}\n").encode(),
    }
    record = [record_line(p, d) for p, d in files.items()] + [f"{dist}/RECORD,,"]
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    filename = f"{name}-{version}-{tag}.whl"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p, d in files.items():
            info = zipfile.ZipInfo(p, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, d)
    with open(os.path.join(out, filename), "wb") as f:
        f.write(buf.getvalue())
    return filename


def sdist(out, name, version, meta):
    filename = f"{name}-{version}.tar.gz"
    base = f"{name}-{version}"
    members = {f"{base}/PKG-INFO": meta, f"{base}/{name}/__init__.py": f'VERSION = "{version}"\n'.encode(),
               f"{base}/setup.py": b"from setuptools import setup\nsetup()\n"}
    with tarfile.open(os.path.join(out, filename), "w:gz", format=tarfile.PAX_FORMAT) as t:
        for p, d in members.items():
            info = tarfile.TarInfo(p)
            info.size = len(d)
            info.mtime = 1704067200
            info.mode = 0o644
            t.addfile(info, io.BytesIO(d))
    return filename


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    out = sys.argv[1]
    files_dir = os.path.join(out, "files")
    os.makedirs(files_dir, exist_ok=True)
    projects = {}  # name -> list of (filename, attrs)

    def add(name, filename, meta=None, with_metadata=True, yanked=None, requires_python=None):
        attrs = {}
        if meta is not None and with_metadata:
            with open(os.path.join(files_dir, filename + ".metadata"), "wb") as f:
                f.write(meta)
            attrs["data-dist-info-metadata"] = "sha256=" + hashlib.sha256(meta).hexdigest()
            attrs["data-core-metadata"] = attrs["data-dist-info-metadata"]
        if yanked is not None:
            attrs["data-yanked"] = yanked
        if requires_python:
            attrs["data-requires-python"] = requires_python
        projects.setdefault(name, []).append((filename, attrs))

    m = metadata("app", "1.0", requires=['alpha>=1.0', 'beta[fast]', 'winonly ; sys_platform == "win32"',
                                         'oldpy ; python_version < "3.10"', 'gamma ; extra == "extra"'], extras=["extra"],
                 license_="Apache-2.0")
    add("app", wheel(files_dir, "app", "1.0", m), m)
    for v, kw in [("1.0", {}), ("2.0", {"requires_python": ">=3.8"}), ("2.1", {"yanked": "broken build"}),
                  ("2.5", {"requires_python": ">=3.12"}), ("3.0rc1", {})]:
        m = metadata("alpha", v, requires_python=kw.get("requires_python"))
        add("alpha", wheel(files_dir, "alpha", v, m), m, yanked=kw.get("yanked"), requires_python=kw.get("requires_python"))
    m = metadata("beta", "1.0", requires=['native>=1.0 ; extra == "fast"'], extras=["fast"])
    add("beta", wheel(files_dir, "beta", "1.0", m), m, with_metadata=False)
    m = metadata("native", "1.0")
    add("native", wheel(files_dir, "native", "1.0", m, tag="cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", pure=False), m)
    add("native", wheel(files_dir, "native", "1.0", m, tag="cp311-cp311-win_amd64", pure=False), m)
    add("native", sdist(files_dir, "native", "1.0", m))
    for name in ("winonly", "oldpy", "gamma"):
        m = metadata(name, "1.0")
        add(name, wheel(files_dir, name, "1.0", m), m)

    simple = os.path.join(out, "simple")
    os.makedirs(simple, exist_ok=True)
    with open(os.path.join(simple, "index.html"), "w") as f:
        f.write("<!DOCTYPE html><html><body>\n")
        for name in sorted(projects):
            f.write(f'<a href="{name}/">{name}</a>\n')
        f.write("</body></html>\n")
    for name, entries in projects.items():
        os.makedirs(os.path.join(simple, name), exist_ok=True)
        with open(os.path.join(simple, name, "index.html"), "w") as f:
            f.write(f"<!DOCTYPE html><html><head><title>Links for {name}</title></head><body>\n")
            for filename, attrs in entries:
                extra = "".join(f' {k}="{html.escape(v)}"' for k, v in attrs.items())
                f.write(f'<a href="../../files/{filename}#sha256={sha256(os.path.join(files_dir, filename))}"{extra}>{filename}</a><br/>\n')
            f.write("</body></html>\n")


if __name__ == "__main__":
    main()

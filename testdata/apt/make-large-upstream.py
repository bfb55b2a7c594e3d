#!/usr/bin/env python3
"""Builds a signed Debian-format repository with full-size Packages indexes, for memory tests and
benchmarks of the apt export (issue 13). Nothing outside OUT is touched.

  make-large-upstream.py OUT [--stanzas N] [--components main,contrib] [--architectures amd64,arm64]
                             [--binary-all] [--no-support-all] [--compress gz|xz|gz,xz] [--closure K]
                             [--deb-kib K] [--suite S] [--from PACKAGES ...]

Synthetic mode (default): about N stanzas in all, shaped like Debian's (~800 bytes each: Source,
Installed-Size, Maintainer, Depends with versions, alternatives and ':any', Provides, Tag, hashes).
Every component has one set of package names; each binary-<arch> index carries all of them (the
'all' ones too, as Debian's do), binary-all (--binary-all) carries the 'all' ones again. Only the
closure of the root package 'closure-root' (K packages in main, --closure, default 36) has files
in pool/ (K KiB of random bytes on average, --deb-kib); other stanzas point at files that do not
exist and are never fetched. OUT/closure.txt lists the closure's package names.

--from PACKAGES ...: the stanzas of real Packages files instead (plain, .gz, .xz, .lz4 or .zst; the
architecture is read from the file name's 'binary-<arch>'), all in component main, with Size and
SHA256 rewritten to those of a placeholder file, the bytes "airgap test placeholder for
<Filename>\\n" (MD5sum dropped): a server answering pool/ requests with those bytes serves them.

OUT/repo/        dists/<suite>/{InRelease,Release,Release.gpg,<comp>/binary-<arch>/Packages.<gz|xz>}, pool/
                 (the Release lists the uncompressed Packages too, which is not written: as on Debian's mirrors)
OUT/upstream.gpg the keyring that verifies the Release; OUT/gnupg the signer's GnuPG home
"""
import argparse
import hashlib
import os
import random
import re
import subprocess
import sys
import time

PLACEHOLDER = "airgap test placeholder for {}\n"


def placeholder(filename):
    return PLACEHOLDER.format(filename).encode()


class Compressed:
    """A Packages index written through external compressors (gz, xz or both), hashed as it is written."""

    def __init__(self, path, kinds):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.paths = {k: path + "." + k for k in kinds}
        self.outs = {k: open(p, "wb") for k, p in self.paths.items()}
        cmds = {"gz": ["gzip", "-1", "-n", "-c"], "xz": ["xz", "-T2", "-1", "-c"]}
        self.procs = {k: subprocess.Popen(cmds[k], stdin=subprocess.PIPE, stdout=self.outs[k]) for k in kinds}
        self.plain = hashlib.sha256()
        self.plain_size = 0
        self.buf = []
        self.buffered = 0
        self.stanzas = 0

    def write(self, text):
        self.buf.append(text)
        self.stanzas += 1
        self.buffered += len(text)
        if self.buffered > 1 << 20:
            self.flush()

    def flush(self):
        data = "".join(self.buf).encode()
        self.plain.update(data)
        self.plain_size += len(data)
        for proc in self.procs.values():
            proc.stdin.write(data)
        self.buf, self.buffered = [], 0

    def close(self):
        self.flush()
        for k, proc in self.procs.items():
            proc.stdin.close()
            if proc.wait() != 0:
                sys.exit("compressor failed for " + self.paths[k])
            self.outs[k].close()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest(), os.path.getsize(path)


WORDS = ("data library tool utility runtime module plugin support files shared development documentation "
         "python perl ruby java rust client server daemon network graphics audio video font theme desktop "
         "kernel firmware driver compression crypto parser bindings extension common core extra").split()
SECTIONS = "libs utils devel python perl net admin doc text graphics sound web x11 science misc".split()
TAGS = ("role::program role::shared-lib role::devel-lib implemented-in::c implemented-in::c++ implemented-in::python "
        "interface::commandline interface::daemon devel::library scope::utility use::converting works-with::text "
        "network::client network::server security::cryptography suite::debian uitoolkit::gtk").split()


def synthetic(args, out, rng):
    comps, archs = args.components, args.architectures
    per_name = len(archs) + (0.25 if args.binary_all else 0)
    names_per_comp = max(1, int(args.stanzas / (len(comps) * per_name)))
    closure = closure_graph(args.closure, rng)
    with open(os.path.join(out, "closure.txt"), "w") as f:
        f.write("\n".join(c["name"] for c in closure) + "\n")
    listed = []
    for ci, comp in enumerate(comps):
        names = ["%s%s-%d" % (rng.choice(WORDS), "" if ci == 0 else "-" + comp, i) for i in range(names_per_comp)]
        all_arch = [i % 4 == 0 for i in range(names_per_comp)]
        versions = ["%d.%d.%d-%d%s" % (rng.randint(0, 9), rng.randint(0, 30), rng.randint(0, 99), rng.randint(1, 9),
                                         "+deb12u%d" % rng.randint(1, 3) if i % 7 == 0 else "") for i in range(names_per_comp)]
        for arch in archs + (["all"] if args.binary_all else []):
            rel = "%s/binary-%s/Packages" % (comp, arch)
            idx = Compressed(os.path.join(out, "repo/dists", args.suite, rel), args.compress)
            if comp == comps[0] and arch != "all":
                for c in closure:
                    idx.write(closure_stanza(c, arch, comp, out, args, rng))
            for i in range(names_per_comp):
                if arch == "all" and not all_arch[i]:
                    continue
                idx.write(stanza(names[i], versions[i], "all" if all_arch[i] else arch, comp, names, closure, rng))
            idx.close()
            listed.append((rel, idx))
    return listed


def closure_graph(k, rng):
    """K packages: closure-root depends on a tree of the others, with every relation form resolution must handle."""
    nodes = []
    for i in range(k):
        name = "closure-root" if i == 0 else "closure-lib%02d" % i
        nodes.append({"name": name, "version": "1.%d-%d" % (i, 1 + i % 3), "all": i % 5 == 4, "deps": [], "pre": [], "provides": []})
    for i in range(1, k):
        parent = nodes[(i - 1) // 3]
        alt = i % 6 == 0
        if i % 9 == 0:  # a virtual package, through Provides
            nodes[i]["provides"].append("closure-virtual%02d" % i)
            parent["deps"].append("closure-virtual%02d" % i)
        elif i % 8 == 0:
            parent["pre"].append(nodes[i]["name"])
        elif alt:  # the first alternative does not exist
            parent["deps"].append("closure-missing%02d | %s (>= 1.0)" % (i, nodes[i]["name"]))
        else:
            parent["deps"].append("%s%s (>= %s)" % (nodes[i]["name"], ":any" if i % 4 == 0 else "", nodes[i]["version"]))
    return nodes


def closure_stanza(c, arch, comp, out, args, rng):
    a = "all" if c["all"] else arch
    name, version = c["name"], c["version"]
    filename = "pool/%s/%s/%s/%s_%s_%s.deb" % (comp, name[0], name, name, version, a)
    path = os.path.join(out, "repo", filename)
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        size = max(1024, int(rng.uniform(0.25, 1.75) * args.deb_kib * 1024))
        with open(path, "wb") as f:
            f.write(os.urandom(size))
    sha, size = sha256_file(path)
    lines = ["Package: " + name, "Source: closure", "Version: " + version, "Installed-Size: %d" % (size // 512),
             "Maintainer: Closure Maintainers <closure@example.invalid>", "Architecture: " + a]
    if c["provides"]:
        lines.append("Provides: " + ", ".join(c["provides"]))
    if c["pre"]:
        lines.append("Pre-Depends: " + ", ".join(c["pre"]))
    if c["deps"]:
        lines.append("Depends: " + ", ".join(c["deps"]))
    lines += ["Description: closure package " + name, "Homepage: https://closure.example.invalid/",
              "Section: libs", "Priority: optional", "Filename: " + filename, "Size: %d" % size, "SHA256: " + sha]
    return "\n".join(lines) + "\n\n"


def stanza(name, version, arch, comp, names, closure, rng):
    r = rng.random
    deps = []
    for _ in range(rng.randint(0, 6)):
        d = names[int(r() * len(names))]
        if r() < 0.3:
            d += " (>= %d.%d)" % (rng.randint(0, 5), rng.randint(0, 20))
        if r() < 0.1:
            d += " | " + names[int(r() * len(names))]
        if r() < 0.05:
            d = d.split(" ")[0] + ":any" + d[len(d.split(" ")[0]):]
        deps.append(d)
    if r() < 0.5:
        deps.append(closure[-1]["name"] + " (>= 1.0)")
    src = name.rsplit("-", 1)[0]
    lines = ["Package: " + name, "Source: %s (%s)" % (src, version) if r() < 0.2 else "Source: " + src, "Version: " + version,
             "Installed-Size: %d" % rng.randint(10, 90000), "Maintainer: Debian %s Maintainers <%s@example.invalid>" % (src.title(), src),
             "Architecture: " + arch]
    if arch != "all" and r() < 0.3:
        lines.append("Multi-Arch: same")
    if r() < 0.08:
        lines.append("Provides: %s-virtual, %s-abi-%d (= %s)" % (src, src, rng.randint(1, 9), version))
    if r() < 0.05:
        lines.append("Pre-Depends: " + names[int(r() * len(names))])
    if deps:
        lines.append("Depends: " + ", ".join(deps))
    if r() < 0.3:
        lines.append("Recommends: " + ", ".join(names[int(r() * len(names))] for _ in range(rng.randint(1, 3))))
    if r() < 0.2:
        lines.append("Suggests: " + names[int(r() * len(names))])
    lines.append("Description: %s %s %s for the %s" % (rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS), src))
    lines.append("Homepage: https://%s.example.invalid/projects/%s" % (src, name))
    lines.append("Description-md5: %032x" % rng.getrandbits(128))
    lines.append("Tag: " + ", ".join(rng.sample(TAGS, rng.randint(2, 7))))
    lines.append("Section: " + rng.choice(SECTIONS))
    lines.append("Priority: optional")
    lines.append("Filename: pool/%s/%s/%s/%s_%s_%s.deb" % (comp, src[0], src, name, version.split(":")[-1], arch))
    lines.append("Size: %d" % rng.randint(1000, 5000000))
    lines.append("MD5sum: %032x" % rng.getrandbits(128))
    lines.append("SHA256: %064x" % rng.getrandbits(256))
    return "\n".join(lines) + "\n\n"


def from_real(args, out):
    listed = []
    archs = []
    for path in args.sources:
        m = re.search(r"binary-([a-z0-9-]+)", os.path.basename(path))
        arch = m.group(1) if m else "amd64"
        archs.append(arch)
        rel = "main/binary-%s/Packages" % arch
        idx = Compressed(os.path.join(out, "repo/dists", args.suite, rel), args.compress)
        tool = {".lz4": ["lz4", "-dc"], ".gz": ["gzip", "-dc"], ".xz": ["xz", "-dc"], ".zst": ["zstd", "-dc"]}.get(os.path.splitext(path)[1], ["cat"])
        proc = subprocess.Popen(tool + [path], stdout=subprocess.PIPE)
        stanza_lines, filename = [], None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace")
            if line.strip() == "":
                if stanza_lines:
                    idx.write(rewritten(stanza_lines, filename))
                stanza_lines, filename = [], None
                continue
            if line.startswith("Filename:"):
                filename = line.split(":", 1)[1].strip()
            stanza_lines.append(line)
        if stanza_lines:
            idx.write(rewritten(stanza_lines, filename))
        if proc.wait() != 0:
            sys.exit("cannot read " + path)
        idx.close()
        listed.append((rel, idx))
    args.architectures = sorted(set(archs))
    args.components = ["main"]
    return listed


def rewritten(lines, filename):
    body = placeholder(filename or "")
    out = []
    for line in lines:
        if line.startswith(("MD5sum:", "SHA1:", "SHA512:")):
            continue
        if line.startswith("Size:"):
            line = "Size: %d\n" % len(body)
        elif line.startswith("SHA256:"):
            line = "SHA256: %s\n" % hashlib.sha256(body).hexdigest()
        out.append(line)
    return "".join(out) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--stanzas", type=int, default=63000)
    p.add_argument("--components", default="main")
    p.add_argument("--architectures", default="amd64")
    p.add_argument("--binary-all", action="store_true")
    p.add_argument("--no-support-all", action="store_true", help="write No-Support-for-Architecture-all: Packages, as Debian does")
    p.add_argument("--compress", default="gz", help="gz, xz or gz,xz (both, as Debian publishes)")
    p.add_argument("--closure", type=int, default=36)
    p.add_argument("--deb-kib", type=int, default=4)
    p.add_argument("--suite", default="stable")
    p.add_argument("--from", dest="sources", nargs="+")
    p.add_argument("--seed", type=int, default=13)
    args = p.parse_args()
    args.compress = args.compress.split(",")
    args.components = args.components.split(",")
    args.architectures = args.architectures.split(",")
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    started = time.time()
    listed = from_real(args, out) if args.sources else synthetic(args, out, random.Random(args.seed))

    release = ["Origin: Airgap Test", "Label: Airgap Test", "Suite: " + args.suite, "Codename: " + args.suite,
               "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S UTC", time.gmtime(time.time() - 60))]
    if args.no_support_all:
        release.append("No-Support-for-Architecture-all: Packages")
    all_archs = args.architectures + (["all"] if args.binary_all else [])
    release += ["Architectures: " + " ".join(all_archs), "Components: " + " ".join(args.components), "SHA256:"]
    for rel, idx in listed:  # the plain index is listed but not written, as on Debian's mirrors
        release.append(" %s %d %s" % (idx.plain.hexdigest(), idx.plain_size, rel))
        for kind, path in idx.paths.items():
            sha, size = sha256_file(path)
            release.append(" %s %d %s.%s" % (sha, size, rel, kind))
    dists = os.path.join(out, "repo/dists", args.suite)
    with open(os.path.join(dists, "Release"), "w") as f:
        f.write("\n".join(release) + "\n")

    env = dict(os.environ, GNUPGHOME=os.path.join(out, "gnupg"))
    if not os.path.exists(os.path.join(out, "upstream.gpg")):
        os.makedirs(env["GNUPGHOME"], mode=0o700, exist_ok=True)
        subprocess.run(["gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key", "Large Upstream <large@example.invalid>",
                        "ed25519", "sign", "never"], env=env, check=True, stderr=subprocess.DEVNULL)
        with open(os.path.join(out, "upstream.gpg"), "wb") as f:
            subprocess.run(["gpg", "--batch", "--export"], env=env, check=True, stdout=f)
    for what, opts in (("InRelease", ["--clearsign"]), ("Release.gpg", ["--detach-sign"])):
        subprocess.run(["gpg", "--batch", "--yes", "--digest-algo", "SHA256"] + opts + ["-o", os.path.join(dists, what), os.path.join(dists, "Release")],
                       env=env, check=True, stderr=subprocess.DEVNULL)
    print("%s: %d index files, %d stanzas, %.1f MB plain, %.1f s" % (out, len(listed), sum(i.stanzas for _, i in listed), sum(i.plain_size for _, i in listed) / 1e6, time.time() - started))


if __name__ == "__main__":
    main()

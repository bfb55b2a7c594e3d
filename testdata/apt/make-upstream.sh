#!/usr/bin/env bash
# Builds the apt test fixture: a small graph of .deb packages (dpkg-deb), a signed upstream
# repository published from them by Debian's aptly (suite "stable", component "main", amd64 + all,
# by-hash), and keys in private GnuPG homes. Nothing outside OUT is touched.
#
#   make-upstream.sh OUT
#
# OUT/repo/            the published repository (serve it over HTTP or use file://OUT/repo)
# OUT/upstream.gpg     binary keyring with the key that signs it
# OUT/other.gpg        a keyring with an unrelated key (the "wrong signer")
# OUT/debs/            the .deb files, OUT/local/ a copy of one for export as a local .deb
# OUT/gnupg/           the upstream signer's GnuPG home (tests re-sign crafted Release files with it)
#
# The graph (hello is what a spec asks for):
#   hello 1.0-1 amd64   Pre-Depends: base-tool
#                       Depends: libgreet (<< 2.0), fancy-missing | plainlog, mail-transport-agent, greet-data (>= 1:0)
#   libgreet 1.2-1, 2.0~beta1-1, 2.0-1 amd64   -> 2.0~beta1-1 (highest below 2.0: "~" sorts first)
#   greet-data 2.0-1 all, 1:0.1-1 all          -> 1:0.1-1 (the epoch wins)
#   plainlog 1.0 all    (second alternative; fancy-missing does not exist)
#   tinymta 3.0 amd64   Provides: mail-transport-agent (the virtual package)
#   base-tool 0.5 amd64
#   unrelated 1.0 amd64 (never part of the closure; also OUT/local/ as a local .deb)
#   broken 1.0 amd64    Depends: ghost-lib (>= 1), which nothing provides
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
export GNUPGHOME="$out/gnupg"
mkdir -p -m 700 "$GNUPGHOME" "$out/gnupg-other"
export SOURCE_DATE_EPOCH=1700000000

deb() { # name version arch [extra control lines...]
  local name=$1 version=$2 arch=$3; shift 3
  local dir="$out/build/${name}_${version}_${arch}"
  mkdir -p "$dir/DEBIAN" "$dir/usr/share/doc/$name"
  {
    echo "Package: $name"
    echo "Version: $version"
    echo "Architecture: $arch"
    echo "Maintainer: Fixture <fixture@example.invalid>"
    echo "Section: misc"
    echo "Priority: optional"
    for line in "$@"; do echo "$line"; done
    echo "Description: airgap test package $name"
    echo " A package of the apt test fixture."
  } > "$dir/DEBIAN/control"
  echo "$name $version $arch ${FIXTURE_SALT:-}" > "$dir/usr/share/doc/$name/README"
  dpkg-deb --root-owner-group -Zxz --build "$dir" "$out/debs/" >/dev/null
}

rm -rf "$out/build" "$out/debs" "$out/local"
mkdir -p "$out/debs" "$out/local"
deb hello 1.0-1 amd64 "Pre-Depends: base-tool" \
  "Depends: libgreet (<< 2.0), fancy-missing | plainlog, mail-transport-agent, greet-data (>= 1:0)" "Homepage: https://hello.example.org/"
deb libgreet 1.2-1 amd64
deb libgreet 2.0~beta1-1 amd64
deb libgreet 2.0-1 amd64
deb greet-data 2.0-1 all
deb greet-data 1:0.1-1 all
deb plainlog 1.0 all
deb tinymta 3.0 amd64 "Provides: mail-transport-agent"
deb base-tool 0.5 amd64
deb unrelated 1.0 amd64
deb broken 1.0 amd64 "Depends: ghost-lib (>= 1)"
mv "$out/debs/"unrelated_* "$out/local/" && cp "$out/local/"unrelated_* "$out/debs/"

gpg --batch --quiet --passphrase '' --quick-gen-key 'Upstream Test <upstream@example.invalid>' rsa3072 sign never 2>/dev/null
gpg --batch --quiet --check-trustdb >/dev/null 2>&1 || true
fpr=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr/ {print $10; exit}')
gpg --batch --export "$fpr" > "$out/upstream.gpg"
GNUPGHOME="$out/gnupg-other" gpg --batch --quiet --passphrase '' --quick-gen-key 'Other <other@example.invalid>' rsa3072 sign never 2>/dev/null
GNUPGHOME="$out/gnupg-other" gpg --batch --export > "$out/other.gpg"

cat > "$out/aptly.conf" <<CONF
{"rootDir": "$out/aptly", "architectures": ["amd64"], "gpgProvider": "gpg"}
CONF
a() { aptly -config="$out/aptly.conf" "$@"; }
rm -rf "$out/aptly" "$out/repo"
a repo create -distribution=stable -component=main upstream >/dev/null
a repo add upstream "$out/debs" >/dev/null 2>&1
a publish repo -architectures=amd64 -acquire-by-hash -gpg-key="$fpr" -batch upstream >/dev/null 2>&1
ln -s "$out/aptly/public" "$out/repo"
echo "$fpr" > "$out/upstream.fpr"

#!/bin/sh
# A fresh Debian 12 (bookworm) root for the packaging tests: debootstrap --variant=minbase from this
# machine's configured Debian mirror, with systemd and salvage's dependencies (kexec-tools), built
# once into build/cache/debian-root/ as a tarball (a lock makes concurrent tests wait for the
# first). `debian-root.sh DIR` unpacks a fresh copy into DIR (which must be empty or missing);
# without DIR it only builds the cache and prints the tarball. DEBIAN_MIRROR overrides the mirror.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/cache/debian-root
SUITE=bookworm
INCLUDE=systemd,udev,kexec-tools
tarball=$cache/$SUITE-minbase-$(echo "$INCLUDE" | tr ',' '+').tar.zst

# The first "deb" URI of this machine's apt sources that serves $SUITE (deb822 or one-line).
mirror() {
	[ -n "${DEBIAN_MIRROR:-}" ] && { echo "$DEBIAN_MIRROR"; return; }
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$SUITE" '
			/^[ \t]*$/ { if (deb && s && u) { print u; exit } deb = s = 0; u = ""; next }
			/^Types:/ && / deb( |$)/ { deb = 1 }
			/^URIs:/ { u = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) s = 1 }
			END { if (deb && s && u) print u }' "$f" | grep -v security | head -n 1
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && awk -v suite="$SUITE" '$1 == "deb" && $3 == suite { print $2 }' "$f"
	done
}

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$tarball" ]; then
	command -v debootstrap >/dev/null || { echo "debian-root: debootstrap missing (make deps)" >&2; exit 1; }
	m=$(mirror | head -n 1)
	[ -n "$m" ] || { echo "debian-root: no Debian mirror serving $SUITE in /etc/apt/sources*" >&2; exit 1; }
	tmp=$cache/root.tmp
	rm -rf "$tmp"
	echo "debian-root: debootstrap $SUITE from $m (once; cached in $tarball)" >&2
	if ! debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" "$m" >"$cache/debootstrap.log" 2>&1; then
		tail -n 20 "$cache/debootstrap.log" >&2
		rm -rf "$tmp"
		echo "debian-root: debootstrap failed (log: $cache/debootstrap.log)" >&2
		exit 1
	fi
	rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*_Packages
	tar --zstd -C "$tmp" --numeric-owner -cf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	rm -rf "$tmp"
fi
exec 9>&-
if [ $# -ge 1 ]; then
	mkdir -p "$1"
	tar --zstd -C "$1" --numeric-owner -xpf "$tarball"
else
	echo "$tarball"
fi

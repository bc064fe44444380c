#!/bin/sh
# Fetch lwIP from Debian's "lwip" source package into build/lwip/ (never committed), verified.
#
# The deb-src entries are derived from this machine's own apt sources (every enabled deb entry becomes
# a deb-src one); apt runs with a private source list, state and cache under build/cache/lwip-apt so
# the system's apt state is untouched. apt-get source checks each file against the Sources index
# (whose Release file is signed by the archive keys); we also check the orig tarball's sha256 against
# the .dsc and let dpkg-source verify the rest when unpacking. (dpkg-source cannot check the .dsc's
# own maintainer signature without the debian-keyring package; the archive signature covers it.)
#
# Usage: scripts/fetch-lwip.sh                 fetch + unpack if build/lwip/src is missing
#        scripts/fetch-lwip.sh --print-srcdir  same, then print the absolute lwIP src/ directory
#        scripts/fetch-lwip.sh --print-version same, then print the Debian source version
# Environment: B (build dir, default build), LWIP_PKG (source package name, default lwip).
set -eu

cd "$(dirname "$0")/.."
B=${B:-build}
PKG=${LWIP_PKG:-lwip}
DEST=$B/lwip
APTDIR=$B/cache/lwip-apt

die() {
	echo "fetch-lwip: error: $*" >&2
	echo "fetch-lwip: lwIP comes from Debian's '$PKG' source package via apt (deb-src derived from" >&2
	echo "fetch-lwip: /etc/apt/sources.list{,.d}); without it salvage cannot be built with networking." >&2
	exit 1
}

print=""
case "${1:-}" in
--print-srcdir) print=srcdir ;;
--print-version) print=version ;;
"") ;;
*) echo "usage: $0 [--print-srcdir|--print-version]" >&2; exit 2 ;;
esac

# Turn every enabled "deb" source into "deb-src": deb822 .sources stanzas and one-line .list entries.
# Disabled files (any other suffix) are skipped, as apt itself skips them.
derive_sources() {
	out=$1
	mkdir -p "$out/sources.list.d"
	: >"$out/sources.list"
	rm -f "$out/sources.list.d/"*
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# Keep stanzas whose Types include deb; rewrite Types; drop Enabled: no stanzas.
		awk '
			function flush() {
				if (n && isdeb && !disabled) { for (i = 1; i <= n; i++) print buf[i]; print "" }
				n = 0; isdeb = 0; disabled = 0
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			/^Types:/ { if ($0 ~ /[ \t]deb([ \t]|$)/) isdeb = 1; buf[++n] = "Types: deb-src"; next }
			/^Enabled:[ \t]*[Nn][Oo]/ { disabled = 1 }
			{ buf[++n] = $0 }
			END { flush() }
		' "$f" >"$out/sources.list.d/$(basename "$f")"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[ \t]*deb[ \t]/deb-src /p' "$f" >>"$out/sources.list"
	done
	if ! grep -qs 'deb-src' "$out/sources.list" "$out/sources.list.d/"* 2>/dev/null; then
		die "no enabled 'deb' entries in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources"
	fi
}

# Sha256 of file $2 as listed in the Checksums-Sha256 field of .dsc $1 (empty when not listed).
dsc_sha256() {
	awk -v name="$2" '
		/^Checksums-Sha256:/ { in_ = 1; next }
		/^[^ ]/ { in_ = 0 }
		in_ && $3 == name { print $1 }
	' "$1"
}

fetch() {
	command -v apt-get >/dev/null || die "apt-get not found (a Debian host is needed to fetch lwIP)"
	command -v dpkg-source >/dev/null || die "dpkg-source not found: install dpkg-dev (scripts/deps.sh)"
	mkdir -p "$APTDIR/etc" "$APTDIR/state/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/dl"
	derive_sources "$APTDIR/etc"
	abs=$(cd "$APTDIR" && pwd)
	set -- -o "Dir::Etc::SourceList=$abs/etc/sources.list" \
		-o "Dir::Etc::SourceParts=$abs/etc/sources.list.d" \
		-o "Dir::State=$abs/state" -o "Dir::State::Lists=$abs/state/lists" \
		-o "Dir::State::status=/var/lib/dpkg/status" \
		-o "Dir::Cache=$abs/cache" -o "Dir::Cache::Archives=$abs/cache/archives" \
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" \
		-o "APT::Sandbox::User=root" -o "Debug::NoLocking=1"
	echo "fetch-lwip: apt-get update (private deb-src lists in $APTDIR)"
	apt-get "$@" -qq update >"$APTDIR/update.log" 2>&1 ||
		{ cat "$APTDIR/update.log" >&2; die "apt-get update of the derived deb-src lists failed"; }
	rm -rf "$APTDIR/dl"; mkdir -p "$APTDIR/dl"
	echo "fetch-lwip: apt-get source --download-only $PKG"
	(cd "$APTDIR/dl" && apt-get "$@" -q source --download-only "$PKG") >"$APTDIR/source.log" 2>&1 ||
		{ cat "$APTDIR/source.log" >&2; die "apt-get source $PKG failed (see above)"; }
	dsc=$(ls "$APTDIR"/dl/*.dsc 2>/dev/null | head -1)
	[ -n "$dsc" ] || die "apt-get source left no .dsc in $APTDIR/dl"
	version=$(sed -n 's/^Version:[ \t]*//p' "$dsc" | head -1)
	orig=$(cd "$APTDIR/dl" && ls *.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -1)
	[ -n "$orig" ] || die "no orig tarball next to $dsc"
	want=$(dsc_sha256 "$dsc" "$orig")
	[ -n "$want" ] || die "$dsc lists no sha256 for $orig"
	got=$(sha256sum "$APTDIR/dl/$orig" | cut -d' ' -f1)
	[ "$want" = "$got" ] || die "$orig: sha256 $got does not match the .dsc's $want"
	echo "fetch-lwip: $orig sha256 $got matches $(basename "$dsc")"
	rm -rf "$DEST.tmp"; mkdir -p "$DEST.tmp"
	# dpkg-source checks every file's size and checksums against the .dsc and applies Debian's patches.
	dpkg-source --require-strong-checksums -x "$dsc" "$DEST.tmp/lwip-$version" >"$APTDIR/unpack.log" 2>&1 ||
		{ cat "$APTDIR/unpack.log" >&2; die "dpkg-source -x $dsc failed"; }
	[ -f "$DEST.tmp/lwip-$version/src/core/init.c" ] ||
		die "unpacked $PKG $version has no src/core/init.c: not the lwIP layout this build expects"
	rm -f "$DEST.tmp"/*.orig.tar.*	# dpkg-source's copy of the tarball next to the tree
	echo "$version" >"$DEST.tmp/VERSION"
	ln -s "lwip-$version/src" "$DEST.tmp/src"
	rm -rf "$DEST"; mv "$DEST.tmp" "$DEST"
	echo "fetch-lwip: lwIP $version unpacked in $DEST/src"
}

[ -f "$DEST/src/core/init.c" ] && [ -f "$DEST/VERSION" ] || fetch >&2

case "$print" in
srcdir) (cd "$DEST/src" && pwd -P) ;;
version) cat "$DEST/VERSION" ;;
esac

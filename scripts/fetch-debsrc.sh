#!/bin/sh
# Fetch a library salvage links (lwIP, the compressors, BearSSL) from its Debian source package into build/<name>/
# (never committed), verified.
#
# The deb-src entries are derived from this machine's own apt sources (every enabled deb entry becomes
# a deb-src one); apt runs with a private source list, state and cache under build/cache/debsrc-apt
# (shared by every package, one update a day) so the system's apt state is untouched. apt-get source
# checks each file against the Sources index (whose Release file is signed by the archive keys); we also check the orig tarball's sha256 against
# the .dsc and let dpkg-source verify the rest when unpacking. (dpkg-source cannot check the .dsc's
# own maintainer signature without the debian-keyring package; the archive signature covers it.)
#
# Usage: scripts/fetch-debsrc.sh PKG NAME CHECK SUB [--print-srcdir|--print-version]
#   fetches Debian source package PKG into build/NAME/ unless build/NAME/src/CHECK exists; build/NAME/src
#   links to the subdirectory SUB of the unpacked tree ("." for its top); --print-srcdir then prints
#   the absolute src directory, --print-version the Debian source version.
#   scripts/fetch-debsrc.sh lwip lwip core/init.c src       (net/lwip.mk)
#   scripts/fetch-debsrc.sh lzo2 lzo2 minilzo/minilzo.c .   (dump/compress.mk)
#   scripts/fetch-debsrc.sh bearssl bearssl src/ec/ec_c25519_m31.c .   (crypto/bearssl.mk)
# Environment: B (build dir, default build).
set -eu

cd "$(dirname "$0")/.."
[ $# -ge 4 ] || { echo "usage: $0 PKG NAME CHECK SUB [--print-srcdir|--print-version]" >&2; exit 2; }
PKG=$1 NAME=$2 CHECK=$3 SUB=$4
shift 4
B=${B:-build}
DEST=$B/$NAME
APTDIR=$B/cache/debsrc-apt

die() {
	echo "fetch-debsrc: error: $*" >&2
	echo "fetch-debsrc: $NAME comes from Debian's '$PKG' source package via apt (deb-src derived from" >&2
	echo "fetch-debsrc: /etc/apt/sources.list{,.d}); without it salvage cannot be built." >&2
	exit 1
}

print=""
case "${1:-}" in
--print-srcdir) print=srcdir ;;
--print-version) print=version ;;
"") ;;
*) echo "usage: $0 PKG NAME CHECK SUB [--print-srcdir|--print-version]" >&2; exit 2 ;;
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
	command -v apt-get >/dev/null || die "apt-get not found (a Debian host is needed to fetch $PKG)"
	command -v dpkg-source >/dev/null || die "dpkg-source not found: install dpkg-dev (scripts/deps.sh)"
	mkdir -p "$APTDIR/etc" "$APTDIR/state/lists/partial" "$APTDIR/cache/archives/partial"
	# One update serves every package fetched in this build (a day at most); a lock keeps parallel
	# fetches (make -j) from rewriting the same lists at once.
	exec 9>"$APTDIR/lock"
	flock 9
	derive_sources "$APTDIR/etc"
	abs=$(cd "$APTDIR" && pwd)
	set -- -o "Dir::Etc::SourceList=$abs/etc/sources.list" \
		-o "Dir::Etc::SourceParts=$abs/etc/sources.list.d" \
		-o "Dir::State=$abs/state" -o "Dir::State::Lists=$abs/state/lists" \
		-o "Dir::State::status=/var/lib/dpkg/status" \
		-o "Dir::Cache=$abs/cache" -o "Dir::Cache::Archives=$abs/cache/archives" \
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" \
		-o "APT::Sandbox::User=root" -o "Debug::NoLocking=1"
	if [ -z "$(find "$APTDIR/state/lists" -maxdepth 1 -name '*Sources*' -mmin -1440 2>/dev/null | head -1)" ]; then
		echo "fetch-debsrc: apt-get update (private deb-src lists in $APTDIR)"
		apt-get "$@" -qq update >"$APTDIR/update.log" 2>&1 ||
			{ cat "$APTDIR/update.log" >&2; die "apt-get update of the derived deb-src lists failed"; }
	fi
	DL=$APTDIR/dl-$NAME
	: >"$DL.source.log"
	echo "fetch-debsrc: apt-get source --download-only $PKG"
	# The newest version first; a mirror may lack it (seen: debian-security's pool answering 404),
	# then every older version the lists know, newest first.
	ok=""
	for v in "" $(apt-cache "$@" showsrc "$PKG" 2>/dev/null | sed -n 's/^Version:[ \t]*//p' | sort -urV); do
		rm -rf "$DL"; mkdir -p "$DL"
		if (cd "$DL" && apt-get "$@" -q source --download-only "$PKG${v:+=$v}") >>"$DL.source.log" 2>&1; then
			ok=1
			break
		fi
	done
	[ -n "$ok" ] || { cat "$DL.source.log" >&2; die "apt-get source $PKG failed (see above)"; }
	dsc=$(ls "$DL"/*.dsc 2>/dev/null | head -1)
	[ -n "$dsc" ] || die "apt-get source left no .dsc in $DL"
	version=$(sed -n 's/^Version:[ \t]*//p' "$dsc" | head -1)
	orig=$(cd "$DL" && ls *.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -1)
	[ -n "$orig" ] || die "no orig tarball next to $dsc"
	want=$(dsc_sha256 "$dsc" "$orig")
	[ -n "$want" ] || die "$dsc lists no sha256 for $orig"
	got=$(sha256sum "$DL/$orig" | cut -d' ' -f1)
	[ "$want" = "$got" ] || die "$orig: sha256 $got does not match the .dsc's $want"
	echo "fetch-debsrc: $orig sha256 $got matches $(basename "$dsc")"
	rm -rf "$DEST.tmp"; mkdir -p "$DEST.tmp"
	# dpkg-source checks every file's size and checksums against the .dsc and applies Debian's patches.
	dpkg-source --require-strong-checksums -x "$dsc" "$DEST.tmp/$PKG-${version#*:}" >"$DL.unpack.log" 2>&1 ||
		{ cat "$DL.unpack.log" >&2; die "dpkg-source -x $dsc failed"; }
	[ -f "$DEST.tmp/$PKG-${version#*:}/$SUB/$CHECK" ] ||
		die "unpacked $PKG $version has no $SUB/$CHECK: not the layout this build expects"
	rm -f "$DEST.tmp"/*.orig.tar.* "$DEST.tmp"/*.debian.tar.* "$DEST.tmp"/*.dsc	# dpkg-source's copies
	echo "$version" >"$DEST.tmp/VERSION"
	ln -s "$PKG-${version#*:}/$SUB" "$DEST.tmp/src"
	rm -rf "$DEST"; mv "$DEST.tmp" "$DEST"
	echo "fetch-debsrc: $PKG $version unpacked in $DEST/src"
}

[ -f "$DEST/src/$CHECK" ] && [ -f "$DEST/VERSION" ] || fetch >&2

case "$print" in
srcdir) (cd "$DEST/src" && pwd -P) ;;
version) cat "$DEST/VERSION" ;;
esac

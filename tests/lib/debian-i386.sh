#!/bin/sh
# Fetch one of Debian's i386 binary packages through a private apt state (this machine's own apt
# sources, APT::Architecture=i386) and extract it, never installed, under build/cache/i386/.
#
# Usage: sh tests/lib/debian-i386.sh PACKAGE
#   Prints the directory the package is extracted into, build/cache/i386/<name>_<version>/.
#   PACKAGE may be a metapackage whose first dependency is the real package (linux-image-686-pae ->
#   linux-image-6.1.0-<N>-686-pae); its dependency is fetched. For a linux-image package the
#   directory also holds vmlinuz (a copy of boot/vmlinuz-<ver>), like tests/lib/debian-kernel.sh.
# The system's apt configuration and state are left alone: lists, cache and an empty dpkg status
# live in build/cache/i386/apt and are refreshed when older than a day. Idempotent; serialised by a
# lock (tests run two at a time); exit 1 with a clear message when the package cannot be had.
set -eu

MAX_LIST_AGE_MIN=1440 # refresh the private package lists once a day

die() { echo "debian-i386: $*" >&2; exit 1; }

[ $# = 1 ] || die "usage: $0 PACKAGE"
want=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/cache/i386
apt=$cache/apt
command -v apt-get >/dev/null || die "apt-get not found (a Debian host is needed)"
[ -d /etc/apt/sources.list.d ] || [ -f /etc/apt/sources.list ] || die "this machine has no apt sources"
mkdir -p "$apt/lists/partial" "$apt/archives/partial"
[ -f "$apt/status" ] || : >"$apt/status"

# Everything below touches the shared private state: one caller at a time.
exec 9>"$cache/.lock"
flock 9

# The machine's own source list and parts (only read), with i386 as the sole architecture and a
# private state: the system's lists, cache and dpkg database are never touched.
set -- -o "Dir::Etc::SourceList=/etc/apt/sources.list" -o "Dir::Etc::SourceParts=/etc/apt/sources.list.d" \
	-o "Dir::State=$apt" -o "Dir::State::Lists=$apt/lists" -o "Dir::State::status=$apt/status" \
	-o "Dir::Cache=$apt" -o "Dir::Cache::Archives=$apt/archives" \
	-o "Dir::Cache::pkgcache=pkgcache.bin" -o "Dir::Cache::srcpkgcache=srcpkgcache.bin" \
	-o "APT::Architecture=i386" -o "APT::Architectures::=i386" -o "Acquire::Languages=none" \
	-o "APT::Sandbox::User=root" -o "Debug::NoLocking=1"

# apt-get update fails as a whole when any one index fails (a mirror mid-sync); what it did fetch is
# kept, so a package that then resolves is good enough. The log says what failed.
if [ -z "$(find "$apt/updated" -mmin -$MAX_LIST_AGE_MIN 2>/dev/null)" ]; then
	if ! apt-get "$@" -q update >"$apt/update.log" 2>&1; then
		echo "debian-i386: warning: apt-get update (private i386 lists) reported errors; see $apt/update.log" >&2
	fi
	touch "$apt/updated"
fi

# The package and version the lists offer; a kernel metapackage names its kernel and that
# kernel's version in its Depends ("linux-image-6.1.0-50-686-pae (= 6.1.176-1)").
show=$(apt-cache "$@" show --no-all-versions "$want" 2>/dev/null) ||
	die "package '$want' not in the private i386 lists (see $apt/update.log)"
pkg=$(echo "$show" | sed -n 's/^Package: //p' | head -1)
ver=$(echo "$show" | sed -n 's/^Version: //p' | head -1)
case $want in
linux-image-686*)
	dep=$(echo "$show" | sed -n 's/^Depends: \(linux-image-[0-9][^ ,]*\) (= \([^)]*\)).*/\1 \2/p' | head -1)
	[ -n "$dep" ] || die "cannot resolve the kernel '$want' depends on (see $apt/update.log)"
	pkg=${dep% *} ver=${dep#* }
	;;
esac
[ -n "$pkg" ] && [ -n "$ver" ] || die "no version of '$want' in the private i386 lists"
dir=$cache/${pkg}_$(echo "$ver" | tr ':' '+')

if [ ! -f "$dir/.complete" ]; then
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp/dl"
	(cd "$dir.tmp/dl" && apt-get "$@" -qq download "$pkg=$ver") >"$dir.tmp/download.log" 2>&1 ||
		die "'apt-get download $pkg=$ver' (i386) failed: $(tail -n 3 "$dir.tmp/download.log" | tr '\n' ' ')"
	deb=$(ls "$dir.tmp"/dl/*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || die "apt-get download left no .deb for $pkg"
	dpkg-deb -x "$deb" "$dir.tmp/root" || die "dpkg-deb -x $deb failed"
	case $pkg in
	linux-image-*)
		kver=${pkg#linux-image-}
		[ -f "$dir.tmp/root/boot/vmlinuz-$kver" ] || die "$pkg has no boot/vmlinuz-$kver"
		cp "$dir.tmp/root/boot/vmlinuz-$kver" "$dir.tmp/root/vmlinuz"
		;;
	esac
	touch "$dir.tmp/root/.complete"
	rm -rf "$dir"
	mv "$dir.tmp/root" "$dir"
	rm -rf "$dir.tmp"
fi
echo "$dir"

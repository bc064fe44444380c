#!/bin/bash
# Build a gzip'd cpio initramfs for test guests: busybox-static (its applet links made in the guest at
# boot), an init script, extra files, dynamically linked binaries with their shared libraries, and
# Debian kernel modules with their dependencies. Nothing built for the guest runs on the host: the
# busybox (maybe i386, on a host that cannot run it) is only read and copied.
#
# Usage: bash tests/lib/initramfs.sh -o OUT.cpio.gz -i INIT [options]
#   -o OUT        output file (gzip'd newc cpio); written atomically
#   -i INIT       the guest's init script (mode 0755); it should mount proc/sys/devtmpfs itself. /init
#                 is a two-line busybox script that makes the applet links (busybox --install -s, in
#                 the guest) and execs it as /init.guest, keeping PID 1
#   -f SRC:DST    extra file (or directory, copied recursively) at absolute path DST; may repeat
#   -b BIN[:DST]  dynamically linked program, plus every library ldd lists, at DST (default: BIN's path)
#   -m MODULE     kernel module (name as in modinfo, - or _) plus its dependencies; may repeat
#   -k KDIR       kernel tree from tests/lib/debian-kernel.sh (default: run it)
#   -B BUSYBOX    statically linked busybox to install (default /bin/busybox; e.g. an i386 one)
#
# In the image, modules live under /lib/modules/<ver>/ with their original relative paths, a
# modules.dep covering just them (so busybox `modprobe NAME` works), and /etc/modules lists their
# absolute paths in load order (dependencies first): `for m in $(cat /etc/modules); do insmod $m; done`.
# /dev/console and /dev/null exist before init runs. The image is reproducible (sorted, fixed mtimes).
set -euo pipefail

die() { echo "initramfs: $*" >&2; exit 1; }

out="" init="" kdir="" busybox=/bin/busybox
files=() bins=() mods=()
while getopts "o:i:f:b:m:k:B:" opt; do
	case $opt in
	o) out=$OPTARG ;;
	i) init=$OPTARG ;;
	f) files+=("$OPTARG") ;;
	b) bins+=("$OPTARG") ;;
	m) mods+=("$OPTARG") ;;
	k) kdir=$OPTARG ;;
	B) busybox=$OPTARG ;;
	*) die "usage: see the comment atop $0" ;;
	esac
done
[ -n "$out" ] || die "-o OUT is required"
[ -n "$init" ] || die "-i INIT is required"
[ -f "$init" ] || die "init script '$init' not found"
[ -f "$busybox" ] || die "$busybox missing (install busybox-static)"
# Read, never run: an ELF executable without a program interpreter.
readelf -hW "$busybox" 2>/dev/null | grep -Eq 'Type: *(EXEC|DYN)' || die "$busybox is not an ELF executable"
! readelf -lW "$busybox" 2>/dev/null | grep -q 'Requesting program interpreter' ||
	die "$busybox is not statically linked (install busybox-static)"

stage=$(mktemp -d "${TMPDIR:-/tmp}/initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,root,mnt,lib}

# Copy SRC (following symlinks) to DST inside the image, creating directories.
put() {
	local src=$1 dst=$2
	case $dst in /*) ;; *) die "destination '$dst' must be an absolute path" ;; esac
	[ -e "$src" ] || die "'$src' not found"
	mkdir -p "$stage$(dirname "$dst")"
	if [ -d "$src" ]; then
		mkdir -p "$stage$dst"
		cp -a "$src"/. "$stage$dst"/
	else
		cp -L "$src" "$stage$dst"
	fi
}

# busybox; its applet links are made at boot by /init (the applet list is the guest binary's own
# answer, which only the guest may give): --install -s keeps what is already there, so the real
# programs installed below win.
put "$busybox" /bin/busybox
chmod 0755 "$stage/bin/busybox"
printf '%s\n' '#!/bin/busybox sh' '/bin/busybox --install -s' 'exec /init.guest "$@"' >"$stage/init"
chmod 0755 "$stage/init"
put "$init" /init.guest
chmod 0755 "$stage/init.guest"

for spec in ${files[@]+"${files[@]}"}; do
	case $spec in *:*) ;; *) die "-f wants SRC:DST, got '$spec'" ;; esac
	put "${spec%%:*}" "${spec#*:}"
done

# Programs with their libraries (and the dynamic loader) at the paths ldd reports.
for spec in ${bins[@]+"${bins[@]}"}; do
	src=${spec%%:*}
	[ -f "$src" ] || src=$(command -v "$src" 2>/dev/null) || die "program '${spec%%:*}' not found"
	dst=$src
	[ "$spec" != "${spec%%:*}" ] && dst=${spec#*:}
	rm -f "$stage$dst"
	put "$src" "$dst"
	chmod 0755 "$stage$dst"
	if ldd "$src" >/dev/null 2>&1; then
		ldd "$src" | while read -r a b c _; do
			lib=""
			if [ "$b" = "=>" ]; then
				[ "$c" = "not" ] && die "$src: library $a not found"
				case $c in /*) lib=$c ;; esac
			else
				case $a in /*) lib=$a ;; esac
			fi
			[ -n "$lib" ] && [ ! -e "$stage$lib" ] && put "$lib" "$lib"
			true
		done
	fi
done

# Kernel modules: resolve dependencies from each module's own .modinfo "depends=" (Debian's package
# ships no modules.dep and this machine has no depmod), in load order, each once.
if [ ${#mods[@]} -gt 0 ]; then
	if [ -z "$kdir" ]; then
		kdir=$(sh "$(dirname "$0")/debian-kernel.sh") || die "cannot get the Debian kernel"
	fi
	mdirs=("$kdir"/lib/modules/*/)
	[ ${#mdirs[@]} = 1 ] && [ -d "${mdirs[0]}" ] || die "expected one lib/modules/<ver>/ under $kdir"
	mdir=${mdirs[0]%/}
	kver=$(basename "$mdir")
	[ -f "$mdir/modules.order" ] || die "$mdir/modules.order missing"
	declare -A done_mod=()
	order=()
	# Relative path of module NAME (from modules.order), or empty.
	modpath() {
		local n=${1//-/_} p
		while read -r p; do
			local b=$(basename "$p" .ko)
			[ "${b//-/_}" = "$n" ] && { echo "$p"; return; }
		done <"$mdir/modules.order"
	}
	builtin_mod() {
		local n=${1//-/_}
		[ -f "$mdir/modules.builtin" ] && sed 's,.*/,,; s,\.ko$,,; s,-,_,g' "$mdir/modules.builtin" | grep -qx "$n"
	}
	deps_of() {
		local f=$1
		readelf -p .modinfo "$f" 2>/dev/null | sed -n 's/.*]  depends=\(.*\)$/\1/p' | tr ',' ' '
	}
	add_mod() {
		local n=${1//-/_} rel f d
		[ -n "${done_mod[$n]:-}" ] && return 0
		done_mod[$n]=busy
		rel=$(modpath "$n")
		if [ -z "$rel" ]; then
			builtin_mod "$n" && { done_mod[$n]=builtin; return 0; }
			die "module '$1' not found in $mdir/modules.order (nor built in)"
		fi
		f=$mdir/$rel
		if [ ! -f "$f" ]; then
			# Compressed modules (newer Debian kernels): store them decompressed.
			if [ -f "$f.xz" ]; then mkdir -p "$stage/lib/modules/$kver/$(dirname "$rel")"; xz -dc "$f.xz" >"$stage/lib/modules/$kver/$rel"
			elif [ -f "$f.zst" ]; then mkdir -p "$stage/lib/modules/$kver/$(dirname "$rel")"; zstd -qdc "$f.zst" >"$stage/lib/modules/$kver/$rel"
			else die "module file $f missing"; fi
			f=$stage/lib/modules/$kver/$rel
		else
			put "$f" "/lib/modules/$kver/$rel"
		fi
		for d in $(deps_of "$f"); do add_mod "$d"; done
		done_mod[$n]=$rel
		order+=("$rel")
	}
	for m in "${mods[@]}"; do add_mod "$m"; done
	: >"$stage/etc/modules"
	: >"$stage/lib/modules/$kver/modules.dep"
	for rel in "${order[@]}"; do
		echo "/lib/modules/$kver/$rel" >>"$stage/etc/modules"
		line="$rel:"
		for d in $(deps_of "$stage/lib/modules/$kver/$rel"); do
			d=${d//-/_}
			[ "${done_mod[$d]}" != builtin ] && line="$line ${done_mod[$d]}"
		done
		echo "$line" >>"$stage/lib/modules/$kver/modules.dep"
	done
fi

mknod -m 0600 "$stage/dev/console" c 5 1
mknod -m 0666 "$stage/dev/null" c 1 3

mkdir -p "$(dirname "$out")"
tmp=$out.tmp.$$
(
	cd "$stage"
	find . -mindepth 1 -exec touch -h -d @"${SOURCE_DATE_EPOCH:-0}" {} +
	find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible -R 0:0
) | gzip -n -9 >"$tmp"
mv "$tmp" "$out"

#!/bin/bash
# Plain `make` as an unprivileged user in a fresh copy of the tree (no build/cache: the libraries'
# Debian sources are fetched through scripts/fetch-debsrc.sh's private apt state): it builds every
# image and tool, prints short build lines, never asks dpkg or apt about installed packages (a
# dpkg-query stand-in first in PATH records any call), and names the Debian packages when a
# toolchain program is missing.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init build-nonroot
[ "$(id -u)" = 0 ] || { not_ok "build-nonroot" "needs root to switch to the unprivileged user"; finish; }
U=nobody G=$(id -gn nobody)
D=$(mktemp -d /tmp/salvage-nonroot.XXXXXX)
at_exit "rm -rf '$D'"
mkdir -p "$D/src" "$D/bin"
git ls-files -z -c -o --exclude-standard | grep -zv '^build/' | tar --null -T - -cf - | tar -C "$D/src" -xf -
printf '#!/bin/sh\necho "$0 $*" >>%s/dpkg-query.calls\nexit 1\n' "$D" >"$D/bin/dpkg-query"
chmod 755 "$D/bin/dpkg-query"
chown -R "$U:$G" "$D"
as_user() { setpriv --reuid="$U" --regid="$G" --clear-groups env -i HOME=/nonexistent \
	PATH="$D/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$@"; }

if (cd "$D/src" && as_user make) >"$T/make.log" 2>&1; then
	ok "make as user $U builds salvage in a fresh tree ($(grep -c '^  CC ' "$T/make.log") CC lines)"
else
	not_ok "make as user $U" "$(tail -n 5 "$T/make.log" | tr '\n' ' ')"
fi
for f in salvage.elf salvage.bzImage salvage.multiboot.elf salvage-recv salvage-mkcorehdr; do
	[ -s "$D/src/build/$f" ] && ok "make built build/$f" || not_ok "make built build/$f" "missing"
done
require "$T/make.log" 'fetch-debsrc: lwip .* unpacked' "the unprivileged build fetched lwIP's Debian source itself"
require "$T/make.log" '^  CC      dump/elfcore\.c$' "short build line: '  CC      dump/elfcore.c'"
forbid "$T/make.log" 'i686-linux-gnu-gcc .*-c |^deps:|apt-get install' "no full compiler lines, no package installation"
[ -e "$D/dpkg-query.calls" ] && not_ok "make never queries installed packages" "$(head -n 2 "$D/dpkg-query.calls")" ||
	ok "make never queries installed packages (dpkg-query not called)"
(cd "$D/src" && as_user make V=1 -B build/salvage-recv) >"$T/v1.log" 2>&1
require "$T/v1.log" '^gcc .*-o build/salvage-recv tools/salvage-recv.c' "make V=1 shows the full command"
(cd "$D/src" && as_user make CROSS=no-such-cross- -B build/k/lib/sha256.o) >"$T/missing.log" 2>&1 &&
	not_ok "a missing cross compiler fails the build" "make succeeded" ||
	require "$T/missing.log" 'missing: no-such-cross-gcc.*|salvage builds with Debian.s:.*gcc-i686-linux-gnu' \
		"a missing cross compiler is named with the Debian packages to install"
finish
